import ArgumentParser
import Foundation
import Study
import VOCData

/// `freeze-study data export --format yolo --data PATH|synthetic --out DIR`: a dataset FreezeStudy
/// reads, written in YOLOv5's layout so that YOLOv5's train.py trains on the same images and labels.
struct DataExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a dataset (VOCdevkit, YOLO folder, data YAML or the synthetic VOC) in YOLOv5's layout.",
        discussion: """
            Writes DIR/images/{train,val}, DIR/labels/{train,val} and DIR/data.yaml. Labels are converted as \
            YOLOv5's data/VOC.yaml does (difficult objects left out, normalised x y w h). Images are hard-linked \
            (no bytes copied) unless --copy is given or DIR is on another file system.
            """)

    /// Layouts `export` writes.
    enum Format: String, CaseIterable, ExpressibleByArgument {
        /// YOLOv5's `images/`, `labels/` and `data.yaml`.
        case yolo
    }

    @Option(help: "Layout to write.")
    var format: Format = .yolo

    @Option(help: "A VOCdevkit folder, a YOLO folder, a data YAML, or 'synthetic' (the study's embedded synthetic VOC). Default: the study's data.")
    var data: String?

    @Option(help: "Study file: its data is the default, and its synthetic settings make 'synthetic'.")
    var study = "Experiments/freeze-study.yaml"

    @Option(help: "Output folder (created; must not already hold images/, labels/ or data.yaml).")
    var out: String

    @Flag(help: "Copy the images instead of hard-linking them.")
    var copy = false

    func run() throws {
        let out = URL(fileURLWithPath: out)
        let (source, temporary) = try resolveSource(out: out)
        defer { if let temporary { try? FileManager.default.removeItem(at: temporary) } }
        let train = try DatasetReader.load(source, split: .train)
        let val = try DatasetReader.load(source, split: .val)
        for problem in train.problems + val.problems { print("data: \(problem)") }
        let summary = try YOLOExport.write(train: train, val: val, to: out, source: data ?? source.path, copyImages: copy)
        print("wrote \(out.path): \(summary.trainImages) train + \(summary.valImages) val images "
              + "(\(summary.hardLinked) hard-linked, \(summary.copied) copied), \(summary.objects) objects"
              + (summary.difficultLeftOut > 0 ? ", \(summary.difficultLeftOut) difficult objects left out" : ""))
        print("YOLOv5: python train.py --data \(summary.dataYAML.path) …")
    }

    /// The dataset to read, and a folder to delete afterwards when it had to be generated. The
    /// synthetic VOC is generated inside `out` (so its images can be hard-linked) with the study's
    /// settings, exactly as a sweep generates it into its cache.
    private func resolveSource(out: URL) throws -> (URL, URL?) {
        let needsStudy = data == nil || data.map(DataSource.init) == .synthetic
        let studyFile = needsStudy ? try StudyFile(contentsOf: URL(fileURLWithPath: study)) : nil
        switch data.map(DataSource.init) ?? studyFile!.shared.data {
        case .path(let path): return (data != nil ? URL(fileURLWithPath: path) : studyFile!.resolve(path), nil)
        case .synthetic: break
        }
        // The configuration the sweep generates; SyntheticVOC writes the same bytes for it.
        let configuration = studyFile!.embedded.syntheticConfiguration(.voc)
        let folder = out.appendingPathComponent(".synthetic-\(configuration.fingerprint)")
        try? FileManager.default.removeItem(at: folder)
        print("generating the synthetic VOC (\(configuration.fingerprint)) in \(folder.path)")
        try SyntheticVOC.generate(configuration, to: folder)
        return (folder, folder)
    }
}
