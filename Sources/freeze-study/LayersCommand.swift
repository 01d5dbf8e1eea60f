import ArgumentParser
import Foundation
import YOLOv5

/// `freeze-study layers`: every parameter with its shape and whether it trains.
struct LayersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layers",
        abstract: "List a model's parameters (PyTorch names) with shape and trainable/frozen.")

    @Option(help: "Model YAML in YOLOv5's format.")
    var model = "Experiments/models/yolov5s.yaml"

    @Option(help: "Number of classes (default: the YAML's nc).")
    var nc: Int?

    @Option(help: "Freeze spec: a count (10), a range (0-9), a list ([0,1,2]) or name patterns (model.2.cv1.).")
    var freeze = "none"

    @Option(help: "Starting weights (.pt from YOLOv5, or a FreezeStudy .safetensors): adds loaded|initialised per parameter.")
    var weights: String?

    func validate() throws {
        if let nc, nc < 1 { throw ValidationError("--nc must be at least 1") }
    }

    func run() throws {
        let spec = try ModelSpec(contentsOf: URL(fileURLWithPath: model))
        let built = try YOLOv5Model(spec: spec, classCount: nc)
        try built.applyFreeze(FreezeSpec(parsing: freeze))
        var listing = ParameterListing(model: built)
        var source: String?
        if let weights {
            let file = try Weights(contentsOf: URL(fileURLWithPath: weights))
            let report = try built.load(file)
            listing.loaded = Set(report.loaded)
            source = "loaded \(report.loaded.count) of \(built.stateDict().count) state tensors from \(file.description)"
        }
        listing.lines.forEach { print($0) }
        print(listing.summary)
        if let source { print(source) }
    }
}
