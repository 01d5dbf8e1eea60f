/// Checks a labelled box against its image: boxes reaching outside are clipped with a warning,
/// boxes with no area left are dropped with a warning. Shared by the VOC and YOLO readers, so both
/// layouts repair the same labels the same way.
enum BoxCheck {
    /// The box to keep (nil when dropped) and the problem to report, if any.
    static func check(_ box: BoxXYXY, imageWidth: Int, imageHeight: Int, file: String, line: Int?,
                      element: String) -> (box: BoxXYXY?, problem: DataProblem?) {
        let (w, h) = (Float(imageWidth), Float(imageHeight))
        guard box.x1.isFinite, box.y1.isFinite, box.x2.isFinite, box.y2.isFinite else {
            return (nil, DataProblem(file: file, line: line, element: element, kind: .malformedAnnotation,
                                     reason: "box \(box) is not finite; object dropped", skipped: false))
        }
        let clipped = box.clipped(width: w, height: h)
        if clipped.width <= 0 || clipped.height <= 0 {
            let where_ = clipped == box ? "has zero area" : "lies outside the \(imageWidth)×\(imageHeight) image"
            return (nil, DataProblem(file: file, line: line, element: element, kind: .emptyBox,
                                     reason: "box \(box) \(where_); object dropped", skipped: false))
        }
        if clipped != box {
            return (clipped, DataProblem(file: file, line: line, element: element, kind: .boxClipped,
                                         reason: "box \(box) reaches outside the \(imageWidth)×\(imageHeight) image; clipped to \(clipped)",
                                         skipped: false))
        }
        return (box, nil)
    }
}
