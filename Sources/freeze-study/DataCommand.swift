import ArgumentParser
import Foundation
import VOCData

/// `freeze-study data`: make the synthetic datasets, check any dataset, export one for YOLOv5.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Generate the synthetic VOC datasets, check datasets and export them in YOLOv5's layout.",
        subcommands: [Synth.self, Check.self, DataExportCommand.self])

    /// `freeze-study data synth --task voc|source|source-disjoint --out DIR --images N --seed S`.
    struct Synth: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a synthetic VOCdevkit tree (JPEG + XML + ImageSets/Main train/val + data.yaml).")

        @Option(help: "voc (the 20 VOC classes), source (80 pretraining classes: VOC's 20 and 60 others, as COCO) or source-disjoint (the earlier 24 pretraining classes, none of them VOC's).")
        var task: SyntheticTask = .voc
        @Option(help: "Output folder; VOC2007/ and data.yaml are written inside it.")
        var out: String
        @Option(help: "Number of images.")
        var images: Int = 2000
        @Option(help: "Random seed.")
        var seed: UInt64 = 0
        @Option(help: "Long side of the images in pixels.")
        var imageSize: Int = 320
        @Option(help: "Share of the images in val.txt.")
        var valFraction: Double = 0.2

        func validate() throws {
            guard images > 0 else { throw ValidationError("--images must be positive") }
        }

        func run() throws {
            let configuration = SyntheticVOC.Configuration(task: task, images: images, seed: seed,
                                                           imageSize: imageSize, valFraction: valFraction)
            let summary = try SyntheticVOC.generate(configuration, to: URL(fileURLWithPath: out))
            print("wrote \(out): \(summary.trainImages) train + \(summary.valImages) val images, \(summary.objects) objects "
                  + "(\(summary.difficultObjects) difficult) in \(String(format: "%.1f", summary.seconds)) s")
        }
    }

    /// Which splits `data check` reads.
    enum SplitChoice: String, CaseIterable, ExpressibleByArgument {
        case train, val, all

        var splits: [DataSplit] { DataSplit(rawValue: rawValue).map { [$0] } ?? DataSplit.allCases }
    }

    /// `freeze-study data check --data PATH`.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read a dataset (VOCdevkit, YOLO folder or data YAML), decode every image, and summarise it.")

        @Option(help: "A VOCdevkit folder, a YOLO layout folder or a YOLOv5 data YAML.")
        var data: String
        @Option(help: "Which split to read.")
        var split: SplitChoice = .all
        @Flag(help: "Only parse JPEG headers instead of decoding every image.")
        var headersOnly = false

        func run() throws {
            let options = ReaderOptions(difficult: .keepFlagged, imageCheck: headersOnly ? .header : .decode)
            print("dataset \(data) (\(try DatasetReader.layout(of: URL(fileURLWithPath: data)).rawValue))")
            for s in split.splits {
                let dataset = try DatasetReader.load(data, split: s, options: options)
                print(DatasetSummary.text(dataset, split: s))
            }
        }
    }
}

extension SyntheticTask: ExpressibleByArgument {}
