// The umbrella library: `import PaveKit` gives every layer.
@_exported import PaveCompose
@_exported import PaveExecutor
@_exported import PaveFormat
@_exported import PaveCheckpoint
@_exported import PaveModel
@_exported import PavePipeline
@_exported import PaveTorch
@_exported import PaveRegistry
@_exported import PaveRemote

/// Version of the pavepkg tool and library, recorded in every manifest it writes (`"tool"`).
public enum PaveKitVersion {
    public static let string = "0.1.0"
}
