/// A 1×1 stride-1 convolution of a channel concatenation, read part by part where each part
/// lies: Y = Σᵢ W[:, offsetᵢ ..< offsetᵢ + Cᵢ] · Xᵢ, one GEMM per part and image (`torch.cat` then
/// the convolution, without ever building the concatenation). Backward gives each part its own
/// gradient, dXᵢ = W[:, offsetᵢ…]ᵀ · dY, and adds dY · Xᵢᵀ into its columns of dW.
///
/// Images go round robin into `ConvolutionPlan.parts` groups, each with its own dW partial sum,
/// added in group order: the same results whatever the thread count.
extension Conv2d {
    /// The convolution of `parts` [N, Cᵢ, H, W] concatenated along channels (ΣCᵢ = C).
    public func forward(concatenating parts: [Tensor], _ mode: ForwardMode) -> Tensor {
        let (n, h, w, offsets) = checkParts(parts, "Conv2d.forward(concatenating:)")
        recordedParts = mode.recordsForBackward ? parts : nil
        let profile = KernelProfile.current, started = profile == nil ? 0 : monotonicSeconds()
        let (k, pixels, ldw) = (outChannels, h * w, inChannels)
        let y = Tensor(uninitializedShape: [n, k, h, w])
        let weights = UnsafePointer(weight.value.data)
        forEachImageGroup(n, work: k * ldw * pixels) { _, image in
            for (i, part) in parts.enumerated() {
                sgemm(m: k, n: pixels, k: part.c, weights + offsets[i], lda: ldw, part.data + image * part.c * pixels, ldb: pixels,
                      beta: i == 0 ? 0 : 1, y.data + image * k * pixels, ldc: pixels)
            }
        }
        if let bias { addChannelBias(bias.value.data, to: y) }
        profile?.record(sample(.forward, [n, inChannels, h, w], seconds: monotonicSeconds() - started))
        return y
    }

    /// Adds dL/dW (and dL/db) from dL/dy; returns dL/d(part) for every part when asked.
    public func backward(concatenated dy: Tensor, needsInputGradient: Bool) -> [Tensor]? {
        let count = recordedParts?.count ?? 0
        let gradients = backward(concatenated: dy, needsPartGradients: [Bool](repeating: needsInputGradient, count: count))
        return needsInputGradient ? gradients.map { $0! } : nil
    }

    /// Adds dL/dW (and dL/db) from dL/dy; returns dL/d(part) for the parts that ask for it.
    public func backward(concatenated dy: Tensor, needsPartGradients: [Bool]) -> [Tensor?] {
        guard let parts = recordedParts else { preconditionFailure("Conv2d.backward(concatenated:) without a recorded forward") }
        precondition(needsPartGradients.count == parts.count, "Conv2d.backward(concatenated:): \(needsPartGradients.count) flags for \(parts.count) parts")
        defer { recordedParts = nil }
        let (n, h, w, offsets) = checkParts(parts, "Conv2d.backward(concatenated:)")
        precondition(dy.shape == [n, outChannels, h, w], "Conv2d.backward(concatenated:): dy \(dy.shape) for parts \(parts.map(\.shape))")
        if let bias, bias.isTrainable { accumulateChannelSums(of: dy, into: bias.gradientForAccumulation().data) }
        let (k, pixels, ldw) = (outChannels, h * w, inChannels)
        let profile = KernelProfile.current
        if weight.isTrainable {
            let started = profile == nil ? 0 : monotonicSeconds()
            let dWeight = weight.gradientForAccumulation()
            let groups = min(ConvolutionPlan.parts, n)
            let partials = (0..<groups).map { _ in Tensor(shape: dWeight.shape) }
            forEachImageGroup(n, work: k * ldw * pixels) { group, image in
                for (i, part) in parts.enumerated() {
                    sgemm(transposeB: true, m: k, n: part.c, k: pixels, dy.data + image * k * pixels, lda: pixels,
                          part.data + image * part.c * pixels, ldb: pixels, beta: 1, partials[group].data + offsets[i], ldc: ldw)
                }
            }
            partials.forEach { dWeight.add($0) }
            profile?.record(sample(.weightGradient, [n, inChannels, h, w], seconds: monotonicSeconds() - started))
        }
        guard needsPartGradients.contains(true) else { return parts.map { _ in nil } }
        let started = profile == nil ? 0 : monotonicSeconds()
        let gradients = zip(parts, needsPartGradients).map { $1 ? Tensor(uninitializedShape: $0.shape) : nil }
        let weights = UnsafePointer(weight.value.data)
        forEachImageGroup(n, work: k * ldw * pixels) { _, image in
            for (i, part) in parts.enumerated() {
                guard let gradient = gradients[i] else { continue }
                sgemm(transposeA: true, m: part.c, n: pixels, k: k, weights + offsets[i], lda: ldw, dy.data + image * k * pixels, ldb: pixels,
                      gradient.data + image * part.c * pixels, ldc: pixels)
            }
        }
        profile?.record(sample(.inputGradient, [n, inChannels, h, w], seconds: monotonicSeconds() - started))
        return gradients
    }

    /// N, H, W of the parts and each part's first channel in the concatenation.
    private func checkParts(_ parts: [Tensor], _ context: String) -> (Int, Int, Int, [Int]) {
        precondition(kernelHeight == 1 && kernelWidth == 1 && stride == 1 && padding == 0,
                     "\(context): a \(kernelHeight)×\(kernelWidth) stride-\(stride) convolution reads a concatenation only as 1×1 stride 1")
        let first = parts[0]
        var offsets: [Int] = [], total = 0
        for part in parts {
            precondition(part.shape.count == 4 && part.n == first.n && part.h == first.h && part.w == first.w,
                         "\(context): parts \(parts.map(\.shape)) differ outside the channel axis")
            offsets.append(total)
            total += part.c
        }
        precondition(total == inChannels, "\(context): parts \(parts.map(\.shape)) for weight \(weight.value.shape)")
        return (first.n, first.h, first.w, offsets)
    }

    /// Runs `body(group, image)` for every image, images round robin in fixed groups.
    private func forEachImageGroup(_ n: Int, work: Int, _ body: (Int, Int) -> Void) {
        let groups = min(ConvolutionPlan.parts, n)
        forEachPart(groups, inline: work * n < 1 << 16) { group in
            for image in Swift.stride(from: group, to: n, by: groups) { body(group, image) }
        }
    }
}
