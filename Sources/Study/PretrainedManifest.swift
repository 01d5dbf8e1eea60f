import ConfigFile
import Foundation

/// The manifest beside a committed pretrained checkpoint (`NAME.manifest.yaml` beside
/// `NAME.safetensors`): which file, its SHA-256, the configuration digest it was made from, and
/// the command that makes it again.
struct PretrainedManifest: Equatable {
    /// The checkpoint's file name, in the manifest's folder.
    var file: String
    /// SHA-256 of the checkpoint file (64 hex digits).
    var sha256: String
    /// `PretrainingConfiguration.digest` of the configuration it was trained with.
    var configurationDigest: String
    /// The command that made it (run from the repository's root).
    var command: String
    /// The configuration's lines, for a reader.
    var configuration: [PretrainingConfiguration.Entry]
    /// FreezeStudy's version that trained it.
    var toolVersion: String
    /// What the pretraining reached on the source task's validation images (for a reader).
    var sourceValidation: String

    static let keys: Set<String> = ["file", "sha256", "configuration_digest", "command", "configuration", "tool_version",
                                    "source_validation"]

    /// Reads and checks a manifest.
    init(contentsOf url: URL) throws {
        let root = try ConfigNode.load(url)
        let fields = try root.fields(allowed: Self.keys)
        func required(_ key: String) throws -> ConfigNode {
            guard let node = fields[key] else { throw root.error("missing key '\(key)'") }
            return node
        }
        file = try required("file").string()
        guard !file.isEmpty, !file.contains("/") else { throw try required("file").error("must be a file name in the manifest's folder") }
        sha256 = try required("sha256").string()
        guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else { throw try required("sha256").error("must be 64 hex digits") }
        configurationDigest = try required("configuration_digest").string()
        guard configurationDigest.hasPrefix("sha256:") else {
            throw try required("configuration_digest").error("must be 'sha256:' and 64 hex digits")
        }
        command = try required("command").string()
        configuration = try fields["configuration"].map { node in
            try node.mapping().map { PretrainingConfiguration.Entry(key: $0.key, value: try $0.value.string()) }
        } ?? []
        toolVersion = try fields["tool_version"]?.string() ?? ""
        sourceValidation = try fields["source_validation"]?.string() ?? ""
    }

    init(file: String, sha256: String, configuration: PretrainingConfiguration, command: String, toolVersion: String,
         sourceValidation: String) {
        self.file = file
        self.sha256 = sha256
        configurationDigest = configuration.digest
        self.command = command
        self.configuration = configuration.entries
        self.toolVersion = toolVersion
        self.sourceValidation = sourceValidation
    }

    /// The manifest as YAML.
    var yaml: String {
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        var lines = [
            "# A pretrained checkpoint of FreezeStudy's synthetic source task (the stand-in for COCO weights).",
            "# A sweep uses it when its study's pretraining configuration has this digest and the file",
            "# has this SHA-256; otherwise it pretrains. Made by `command`, run from the repository's root.",
            "file: \(quoted(file))",
            "sha256: \(quoted(sha256))",
            "configuration_digest: \(quoted(configurationDigest))",
            "command: \(quoted(command))",
            "tool_version: \(quoted(toolVersion))",
            "source_validation: \(quoted(sourceValidation))",
            "configuration:              # the lines whose SHA-256 is configuration_digest",
        ]
        lines += configuration.map { "  \($0.key): \(quoted($0.value))" }
        return lines.joined(separator: "\n") + "\n"
    }
}
