/// The `source` task's 80 classes: COCO's 80 in COCO's order, the 20 that VOC shares spelt as
/// VOC spells them and drawn exactly as `voc` draws them, the other 60 given looks `voc` does not
/// use, and each drawn as often as COCO annotates it.
///
/// The 60 other looks, in the order they are handed to COCO's other classes: the 44 (shape,
/// colour) cells `voc` leaves free (offsets d = 1, 4, 6, then 2, 7 for every shape, then d = 5 for
/// the last four shapes), texture (shape + colour + 1) mod 4, then 16 twins of the `voc` cells
/// with offsets 0 and 3, same shape and colour as a `voc` class but texture
/// (shape + colour + 2) mod 4 (the way COCO's truck sits beside VOC's car and bus).
enum SourceClasses {
    /// COCO's classes (YOLOv5 data/coco.yaml order): the name, VOC's name where VOC has the
    /// class, and the instances annotated in COCO train2017 (instances_train2017.json, crowd
    /// annotations included: 860,001 in all over 118,287 images).
    static let coco: [(name: String, vocName: String?, instances: Int)] = [
        ("person", "person", 262_465), ("bicycle", "bicycle", 7_113), ("car", "car", 43_867),
        ("motorcycle", "motorbike", 8_725), ("airplane", "aeroplane", 5_135), ("bus", "bus", 6_069),
        ("train", "train", 4_571), ("truck", nil, 9_973), ("boat", "boat", 10_759), ("traffic light", nil, 12_884),
        ("fire hydrant", nil, 1_865), ("stop sign", nil, 1_983), ("parking meter", nil, 1_285), ("bench", nil, 9_838),
        ("bird", "bird", 10_806), ("cat", "cat", 4_768), ("dog", "dog", 5_508), ("horse", "horse", 6_587),
        ("sheep", "sheep", 9_509), ("cow", "cow", 8_147), ("elephant", nil, 5_513), ("bear", nil, 1_294),
        ("zebra", nil, 5_303), ("giraffe", nil, 5_131), ("backpack", nil, 8_720), ("umbrella", nil, 11_431),
        ("handbag", nil, 12_354), ("tie", nil, 6_496), ("suitcase", nil, 6_192), ("frisbee", nil, 2_682),
        ("skis", nil, 6_646), ("snowboard", nil, 2_685), ("sports ball", nil, 6_347), ("kite", nil, 9_076),
        ("baseball bat", nil, 3_276), ("baseball glove", nil, 3_747), ("skateboard", nil, 5_543), ("surfboard", nil, 6_126),
        ("tennis racket", nil, 4_812), ("bottle", "bottle", 24_342), ("wine glass", nil, 7_913), ("cup", nil, 20_650),
        ("fork", nil, 5_479), ("knife", nil, 7_770), ("spoon", nil, 6_165), ("bowl", nil, 14_358),
        ("banana", nil, 9_458), ("apple", nil, 5_851), ("sandwich", nil, 4_373), ("orange", nil, 6_399),
        ("broccoli", nil, 7_308), ("carrot", nil, 7_852), ("hot dog", nil, 2_918), ("pizza", nil, 5_821),
        ("donut", nil, 7_179), ("cake", nil, 6_353), ("chair", "chair", 38_491), ("couch", "sofa", 5_779),
        ("potted plant", "pottedplant", 8_652), ("bed", nil, 4_192), ("dining table", "diningtable", 15_714), ("toilet", nil, 4_157),
        ("tv", "tvmonitor", 5_805), ("laptop", nil, 4_970), ("mouse", nil, 2_262), ("remote", nil, 5_703),
        ("keyboard", nil, 2_855), ("cell phone", nil, 6_434), ("microwave", nil, 1_673), ("oven", nil, 3_334),
        ("toaster", nil, 225), ("sink", nil, 5_610), ("refrigerator", nil, 2_637), ("book", nil, 24_715),
        ("clock", nil, 6_334), ("vase", nil, 6_613), ("scissors", nil, 1_481), ("teddy bear", nil, 4_793),
        ("hair drier", nil, 198), ("toothbrush", nil, 1_954),
    ]

    /// The looks of the 60 classes VOC lacks, in the order COCO's other classes take them.
    static let otherLooks: [SyntheticClass] = {
        let free = [1, 4, 6, 2, 7].flatMap { d in SyntheticShape.allCases.map { SyntheticTask.cell($0, offset: d) } }
            + SyntheticShape.allCases.filter { $0.rawValue >= 4 }.map { SyntheticTask.cell($0, offset: 5) }
        let twins = [0, 3].flatMap { d in SyntheticShape.allCases.map { SyntheticTask.cell($0, offset: d) } }
        return free.map { SyntheticTask.look(nil, $0, textureShift: 1) } + twins.map { SyntheticTask.look(nil, $0, textureShift: 2) }
    }()

    /// The 80 classes in COCO's order.
    static let classes: [SyntheticClass] = {
        var others = otherLooks.makeIterator()
        return coco.map { entry in
            if let vocName = entry.vocName { return SyntheticTask.vocClasses.first { $0.name == vocName }! }
            var look = others.next()!
            look.name = entry.name
            return look
        }
    }()

    /// Relative class frequencies: COCO train2017's instance counts.
    static let weights: [Int] = coco.map(\.instances)
}
