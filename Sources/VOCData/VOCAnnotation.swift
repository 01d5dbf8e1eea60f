import Foundation

/// What FreezeStudy reads from one VOC annotation XML (`Annotations/<id>.xml`).
struct VOCAnnotation {
    struct Object {
        var name: String
        var difficult: Bool
        var truncated: Bool
        /// VOC's 1-based corners (xmin, ymin, xmax, ymax), nil when the bndbox is missing or not numeric.
        var corners: (Float, Float, Float, Float)?
        /// Why `corners` is nil.
        var cornersProblem: String?
        var line: Int
    }

    var width: Int?
    var height: Int?
    var sizeLine: Int
    var objects: [Object]

    /// Parses VOC XML bytes; throws `XMLSyntaxError` for XML that is not well-formed and a
    /// reason string (as `XMLSyntaxError`) when the root is not `<annotation>`.
    static func parse(_ data: Data) throws -> VOCAnnotation {
        let root = try XMLTree.parse(data)
        guard root.name == "annotation" else {
            throw XMLSyntaxError(line: root.line, reason: "root element is <\(root.name)>, not <annotation>")
        }
        let size = root.child("size")
        let objects = root.children("object").map { node -> Object in
            let name = node.text(of: "name") ?? ""
            let difficult = flag(node.text(of: "difficult"))
            let truncated = flag(node.text(of: "truncated"))
            var corners: (Float, Float, Float, Float)?
            var problem: String?
            if let box = node.child("bndbox") {
                let values = ["xmin", "ymin", "xmax", "ymax"].map { key in box.text(of: key).flatMap { Float($0) } }
                if values.allSatisfy({ $0 != nil }) {
                    corners = (values[0]!, values[1]!, values[2]!, values[3]!)
                } else {
                    let bad = zip(["xmin", "ymin", "xmax", "ymax"], values).filter { $0.1 == nil }.map(\.0)
                    problem = "bndbox lacks a numeric \(bad.joined(separator: ", "))"
                }
            } else {
                problem = "no <bndbox>"
            }
            return Object(name: name, difficult: difficult, truncated: truncated, corners: corners,
                          cornersProblem: problem, line: node.line)
        }
        return VOCAnnotation(width: pixels(size?.text(of: "width")), height: pixels(size?.text(of: "height")),
                             sizeLine: size?.line ?? root.line, objects: objects)
    }

    /// A VOC flag (`difficult`, `truncated`): `1`, `1.0`, `true`/`yes` are set; `0`, empty, or
    /// no element at all is not (the devkit's files always write one; other tools leave it out).
    static func flag(_ text: String?) -> Bool {
        guard let text, !text.isEmpty else { return false }
        if let value = Double(text) { return value != 0 }
        return ["true", "yes"].contains(text.lowercased())
    }

    /// A size in whole pixels; `500.0` is 500 (some converters write floats), `500.5` or a
    /// non-positive or absurd value is no size.
    static func pixels(_ text: String?) -> Int? {
        guard let text, let value = Double(text), value == value.rounded(), value > 0, value < 1e6 else { return nil }
        return Int(value)
    }

    /// The labels of this annotation for an image of `imageWidth × imageHeight` pixels.
    ///
    /// Mirrors YOLOv5's VOC conversion: unknown names and difficult objects leave the training
    /// labels (difficult ones stay, flagged, under `.keepFlagged`), truncated ones stay, and the
    /// 1-based corners become `BoxXYXY(xmin − 1, ymin − 1, xmax − 1, ymax − 1)`. If `<size>`
    /// disagrees with the JPEG, boxes are rescaled by JPEG/XML size (YOLOv5 normalises by the XML
    /// size and de-normalises by the real one) and a warning is reported.
    func labels(classIndex: [String: Int], difficult policy: DifficultPolicy, imageWidth: Int, imageHeight: Int,
                file: String) -> (objects: [AnnotatedObject], problems: [DataProblem], difficultClasses: [Int]) {
        var problems: [DataProblem] = []
        var sx: Float = 1, sy: Float = 1
        if let w = width, let h = height, w > 0, h > 0 {
            if w != imageWidth || h != imageHeight {
                sx = Float(imageWidth) / Float(w)
                sy = Float(imageHeight) / Float(h)
                problems.append(DataProblem(file: file, line: sizeLine, element: "size", kind: .sizeMismatch,
                                            reason: "<size> says \(w)×\(h) but the JPEG is \(imageWidth)×\(imageHeight); boxes rescaled",
                                            skipped: false))
            }
        } else {
            problems.append(DataProblem(file: file, line: sizeLine, element: "size", kind: .malformedAnnotation,
                                        reason: "missing or invalid <size>; the JPEG's \(imageWidth)×\(imageHeight) is used",
                                        skipped: false))
        }
        var objects: [AnnotatedObject] = []
        var difficultClasses: [Int] = []
        for (i, object) in self.objects.enumerated() {
            let element = "object[\(i)] \(object.name.isEmpty ? "(no name)" : object.name)"
            guard let cls = classIndex[object.name] else {
                problems.append(DataProblem(file: file, line: object.line, element: element, kind: .unknownClass,
                                            reason: "class name '\(object.name)' is not in names; object dropped", skipped: false))
                continue
            }
            if object.difficult { difficultClasses.append(cls) }
            if object.difficult && policy == .drop { continue }
            guard let c = object.corners else {
                problems.append(DataProblem(file: file, line: object.line, element: element, kind: .malformedAnnotation,
                                            reason: "\(object.cornersProblem ?? "bad bndbox"); object dropped", skipped: false))
                continue
            }
            let box = BoxXYXY(x1: c.0 - 1, y1: c.1 - 1, x2: c.2 - 1, y2: c.3 - 1).scaled(sx, sy)
            let checked = BoxCheck.check(box, imageWidth: imageWidth, imageHeight: imageHeight, file: file,
                                         line: object.line, element: element + "/bndbox")
            if let problem = checked.problem { problems.append(problem) }
            if let kept = checked.box {
                objects.append(AnnotatedObject(classIndex: cls, box: kept, difficult: object.difficult,
                                               truncated: object.truncated))
            }
        }
        return (objects, problems, difficultClasses)
    }
}

/// What happens to objects VOC marks `difficult`.
public enum DifficultPolicy: Sendable {
    /// Leave them out entirely, as YOLOv5's VOC conversion does (train and val labels). The default.
    case drop
    /// Keep them in `DatasetSample.objects` with `difficult == true`; the loader still never trains
    /// on them, and an evaluator may ignore detections that match them (the VOC devkit's rule).
    case keepFlagged
}
