import NeuralCore

/// Draws the class of each object: uniformly, or in proportion to integer weights (the `source`
/// task's COCO instance counts). Integer arithmetic only, so a seed gives the same classes on
/// every machine.
struct SyntheticClassPicker {
    let count: Int
    /// Running sums of the weights (nil: uniform).
    let cumulative: [UInt64]?

    /// A picker over `count` classes with `weights` (one per class, positive), or uniform if nil.
    init(count: Int, weights: [Int]?) {
        precondition(weights == nil || (weights!.count == count && weights!.allSatisfy { $0 > 0 }),
                     "class weights must be positive, one per class (\(count)), got \(weights ?? [])")
        self.count = count
        var sum: UInt64 = 0
        cumulative = weights?.map { sum += UInt64($0); return sum }
    }

    /// A class index.
    func pick(using rng: inout SeededGenerator) -> Int {
        guard let cumulative else { return Int(SampleSeeds.below(UInt64(count), using: &rng)) }
        let r = SampleSeeds.below(cumulative[count - 1], using: &rng)
        return cumulative.firstIndex { r < $0 }!
    }
}
