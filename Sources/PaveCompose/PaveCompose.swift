/// The composer: stacks of patches at load time and composed `.pave` artifacts — layer 3.
public enum PaveComposeModule {}
