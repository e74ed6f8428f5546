/// The local content-addressed registry with its SQLite index — layer 4.
public enum PaveRegistryModule {}
