import PaveCheckpoint
import PaveTorch
import Foundation
import PaveFormat
import PaveModel

extension PatchPacker {
    /// The tensors and manifest a pack starts from, and what must stay alive while they are read.
    struct Gathered {
        var manifest: Manifest
        var tensors: [any TensorSource]
        var notes: [String]
        /// A checkpoint import: it holds its zip extraction directory (or its streamed adapter) until released,
        /// and gives the deferred manifest values and the root cause of a failed read.
        var checkpoint: ImportedCheckpoint?
    }

    /// Step 1: reads the inputs (every safetensors header, or the checkpoint through the importer), then
    /// builds the manifest in one order for both kinds of input: what the import gives, the manifest file's
    /// fields over it, then the request's name, version and created, the defaults, and `tool`.
    static func gather(_ request: PackRequest, output: URL) throws -> Gathered {
        var gathered: Gathered
        var inputs: [URL]
        switch request.input {
        case let .safetensors(urls):
            var plan = PackPlan(manifest: Manifest(fields: [:]))
            try plan.addSafetensors(urls)
            gathered = Gathered(manifest: plan.manifest, tensors: plan.tensors, notes: [], checkpoint: nil)
            inputs = urls
        case let .checkpoint(url, options):
            var options = options
            options.name = request.name
            options.version = request.version
            options.created = request.created.map(RFC3339.format)
            options.tool = request.tool
            if let progress = request.progress { options.progress = progress }
            options.streamAdapter = true  // pack while a zipped adapter inflates
            let imported = try PaveCheckpointImporter.load(url, options: options)
            gathered = Gathered(manifest: imported.manifest, tensors: imported.tensors, notes: imported.notes, checkpoint: imported)
            inputs = [url]
        }
        if let file = request.manifestFile {
            for (key, value) in try manifestFields(file) { gathered.manifest[key] = value }
        }
        try complete(&gathered.manifest, request: request, output: output, inputs: inputs)
        return gathered
    }

    /// The request's name, version and created over the manifest, then the defaults (name: the output file's
    /// stem; version `0.1.0`; created: `SOURCE_DATE_EPOCH`, else the inputs' newest modification time), and
    /// `tool`. A name that does not follow ``PatchNameRule`` is refused here, before any heavy work.
    static func complete(_ m: inout Manifest, request: PackRequest, output: URL, inputs: [URL]) throws {
        if let name = request.name { m.name = name } else if m.name == nil { m.name = output.deletingPathExtension().lastPathComponent }
        if let name = m.name { try PatchNameRule.validate(name) }
        if let version = request.version { m.version = version } else if m.version == nil { m.version = "0.1.0" }
        if request.created != nil || m.created == nil {
            m.created = try RFC3339.created(at: request.created, environment: request.environment, inputs: inputs)
        }
        m.tool = request.tool
    }

    /// The fields of the JSON object in `url`.
    /// - Throws: ``PaveFormatError/io(path:reason:)`` when it cannot be read,
    ///   ``PaveFormatError/invalidManifest(path:offset:reason:)`` when it is not a JSON object.
    static func manifestFields(_ url: URL) throws -> [String: JSONValue] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw PaveFormatError.io(path: url.path, reason: FileManager.default.fileExists(atPath: url.path)
                                     ? "cannot read the manifest file" : "no such manifest file")
        }
        do { return try Manifest(jsonBytes: [UInt8](data)).fields } catch {
            throw PaveFormatError.invalidManifest(path: url.path, offset: 0, reason: "not a JSON object")
        }
    }
}
