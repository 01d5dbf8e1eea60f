/// The im2col + GEMM passes of `Conv2d` over a `ConvolutionPlan`.
extension Conv2d {
    /// y = W · im2col(x), chunk by chunk (or, for one chunk, split by columns).
    func im2colForward(_ x: Tensor) -> Tensor {
        let plan = ConvolutionPlan(x, geometry(height: x.h, width: x.w), outputChannels: outChannels)
        let y = Tensor(uninitializedShape: [x.n, outChannels, plan.geometry.outputHeight, plan.geometry.outputWidth])
        let (w, k, rows) = (UnsafePointer(weight.value.data), outChannels, plan.rows)
        // Y' [K, n·OH·OW] = W [K, C·kh·kw] · col [C·kh·kw, n·OH·OW] per chunk, then rows to NCHW.
        if plan.splitsColumns {
            let chunk = plan.chunks[0]
            let columns = plan.makeColumns()
            withExtendedLifetime(columns) {  // the matrices below point into it
                let b = plan.columnMatrix(chunk, into: columns, parallel: true)
                let c = plan.outputMatrix(chunk, y, gathered: nil)
                forEachPart(ConvolutionPlan.parts, inline: plan.isSmall) { index in
                    let part = plan.range(index, of: b.width)
                    guard !part.isEmpty else { return }
                    sgemm(m: k, n: part.count, k: rows, w, lda: rows, b.pointer + part.lowerBound, ldb: b.stride,
                          c.pointer + part.lowerBound, ldc: c.stride)
                }
            }
        } else {
            plan.forEachChunk { _, chunk, columns, gathered in
                let b = plan.columnMatrix(chunk, into: columns, parallel: false)
                let c = plan.outputMatrix(chunk, y, gathered: gathered)
                sgemm(m: k, n: b.width, k: rows, w, lda: rows, b.pointer, ldb: b.stride, c.pointer, ldc: c.stride)
                plan.scatter(gathered, chunk, into: y, parallel: false)
            }
        }
        return y
    }

    /// dW += dY' · colᵀ and, when asked, dx = col2im(Wᵀ · dY').
    func im2colBackward(_ x: Tensor, _ dy: Tensor, weightGradient dWeight: Tensor?, needsInputGradient: Bool) -> Tensor? {
        let profile = KernelProfile.current
        let plan = ConvolutionPlan(x, geometry(height: x.h, width: x.w), outputChannels: outChannels)
        if let dWeight {
            let started = profile == nil ? 0 : monotonicSeconds()
            accumulateWeightGradient(plan, dy, into: dWeight)
            profile?.record(sample(.weightGradient, x.shape, seconds: monotonicSeconds() - started))
        }
        guard needsInputGradient else { return nil }
        let started = profile == nil ? 0 : monotonicSeconds()
        let dx = inputGradient(plan, dy)
        profile?.record(sample(.inputGradient, x.shape, seconds: monotonicSeconds() - started))
        return dx
    }

    /// dW [K, C·kh·kw] += dY' [K, n·OH·OW] · colᵀ over all chunks. With several chunks each
    /// group sums its chunks into its own buffer; a single chunk is split by rows of dW.
    private func accumulateWeightGradient(_ plan: ConvolutionPlan, _ dy: Tensor, into dWeight: Tensor) {
        let (k, rows) = (outChannels, plan.rows)
        if plan.splitsColumns {
            let chunk = plan.chunks[0]
            let (columns, gathered) = (plan.makeColumns(), plan.makeGathered())
            withExtendedLifetime((columns, gathered)) {  // the matrices below point into them
                let b = plan.columnMatrix(chunk, into: columns, parallel: true)
                let d = plan.dyMatrix(chunk, dy, gathered: gathered, parallel: true)
                forEachPart(ConvolutionPlan.parts, inline: plan.isSmall) { index in
                    let part = plan.range(index, of: k)
                    guard !part.isEmpty else { return }
                    sgemm(transposeB: true, m: part.count, n: rows, k: b.width, d.pointer + part.lowerBound * d.stride, lda: d.stride,
                          b.pointer, ldb: b.stride, beta: 1, dWeight.data + part.lowerBound * rows, ldc: rows)
                }
            }
            return
        }
        // One partial sum per group, added in group order: the same sums whatever the threads.
        let partials = (0..<plan.groups).map { _ in Tensor(shape: dWeight.shape) }
        plan.forEachChunk { group, chunk, columns, gathered in
            let b = plan.columnMatrix(chunk, into: columns, parallel: false)
            let d = plan.dyMatrix(chunk, dy, gathered: gathered, parallel: false)
            sgemm(transposeB: true, m: k, n: rows, k: b.width, d.pointer, lda: d.stride, b.pointer, ldb: b.stride,
                  beta: 1, partials[group].data, ldc: rows)
        }
        partials.forEach { dWeight.add($0) }
    }

    /// dx = col2im(Wᵀ · dY') chunk by chunk (or, for one chunk, split by columns).
    private func inputGradient(_ plan: ConvolutionPlan, _ dy: Tensor) -> Tensor {
        let x = plan.input
        let dx = Tensor(uninitializedShape: x.shape)
        let (k, rows) = (outChannels, plan.rows)
        let w = UnsafePointer(weight.value.data)
        let imageSize = x.c * x.h * x.w
        if plan.isDirect && plan.imagesPerChunk == 1 {
            // 1×1 stride 1: dx [C, H·W] = Wᵀ [C, K] · dY [K, H·W] per image, images (or columns) per worker.
            plan.forEachDirectPart { image, part in
                sgemm(transposeA: true, m: rows, n: part.count, k: k, w, lda: rows, dy.data + image * k * plan.pixels + part.lowerBound,
                      ldb: plan.pixels, dx.data + image * imageSize + part.lowerBound, ldc: plan.pixels)
            }
            return dx
        }
        if plan.splitsColumns {
            let chunk = plan.chunks[0]
            let (dcol, gathered) = (plan.makeColumns()!, plan.makeGathered())
            withExtendedLifetime((dcol, gathered)) {  // the matrices below point into them
                let d = plan.dyMatrix(chunk, dy, gathered: gathered, parallel: true)
                forEachPart(ConvolutionPlan.parts, inline: plan.isSmall) { index in
                    let part = plan.range(index, of: d.width)
                    guard !part.isEmpty else { return }
                    sgemm(transposeA: true, m: rows, n: part.count, k: k, w, lda: rows, d.pointer + part.lowerBound, ldb: d.stride,
                          dcol.data + part.lowerBound, ldc: d.width)
                }
                plan.fold(dcol.data, chunk, into: dx, parallel: true)
            }
            return dx
        }
        plan.forEachChunk { _, chunk, columns, gathered in
            let d = plan.dyMatrix(chunk, dy, gathered: gathered, parallel: false)
            let dcol = columns!.data
            sgemm(transposeA: true, m: rows, n: d.width, k: k, w, lda: rows, d.pointer, ldb: d.stride, dcol, ldc: d.width)
            plan.fold(dcol, chunk, into: dx, parallel: false)
        }
        return dx
    }
}
