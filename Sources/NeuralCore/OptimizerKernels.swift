/// Element-wise passes of the optimizer and the moving average, over contiguous buffers (a
/// `ParameterArena`'s or `GradientArena`'s, or views of them). Each element is independent, so
/// the result is the same for any number of threads.

/// One step of `torch.optim.SGD(momentum=μ, nesterov=True, weight_decay=wd)` over elements of
/// one parameter group, with PyTorch's operations in PyTorch's order (`_single_tensor_sgd`):
/// d = g + wd·θ; buf = d on the first step, else buf·μ + d; θ = θ − lr·(d + μ·buf).
/// `values`, `gradients` and `momentumBuffer` have the same number of elements; on the first
/// step `momentumBuffer` is written, not read.
public func sgdNesterovStep(values: Tensor, gradients: Tensor, momentumBuffer: Tensor, learningRate: Float,
                            momentum mu: Float, weightDecay wd: Float, isFirstStep: Bool) {
    precondition(values.count == gradients.count && values.count == momentumBuffer.count,
                 "sgdNesterovStep: \(values.count) values, \(gradients.count) gradients, \(momentumBuffer.count) momenta")
    let (theta, g, buf) = (values.data, UnsafePointer(gradients.data), momentumBuffer.data)
    let lr = learningRate
    parallelFor(values.count, costPerItem: 4) { range in
        if isFirstStep {
            for i in range {
                let d = g[i] + wd * theta[i]
                buf[i] = d
                theta[i] = theta[i] - lr * (d + mu * d)
            }
        } else {
            for i in range {
                let d = g[i] + wd * theta[i]
                let b = buf[i] * mu + d
                buf[i] = b
                theta[i] = theta[i] - lr * (d + mu * b)
            }
        }
    }
}

/// average ← d·average + (1 − d)·source, element by element, as YOLOv5's `ModelEMA.update`
/// (`v *= d; v += (1 - d) * msd[k]`, both factors rounded to Float32 as PyTorch does).
public func exponentialMovingAverage(_ average: Tensor, toward source: Tensor, decay: Double) {
    precondition(average.count == source.count, "exponentialMovingAverage: \(average.count) vs \(source.count) elements")
    let (e, m) = (average.data, UnsafePointer(source.data))
    let (d, c) = (Float(decay), Float(1 - decay))
    parallelFor(average.count, costPerItem: 2) { range in
        for i in range { e[i] = e[i] * d + c * m[i] }
    }
}

/// Σ x² in Double, summed in fixed blocks of 65,536 elements whose partial sums are added in
/// order: the same bits for any number of threads.
public func squaredL2Norm(_ t: Tensor) -> Double {
    let block = 65_536
    let blocks = (t.count + block - 1) / block
    guard blocks > 0 else { return 0 }
    let x = UnsafePointer(t.data)
    var partial = [Double](repeating: 0, count: blocks)
    partial.withUnsafeMutableBufferPointer { sums in
        let out = sums.baseAddress!
        parallelFor(blocks, costPerItem: block) { range in
            for b in range {
                var s = 0.0
                for i in (b * block)..<min(t.count, (b + 1) * block) { s += Double(x[i]) * Double(x[i]) }
                out[b] = s
            }
        }
    }
    return partial.reduce(0, +)
}

/// x ← c·x for every element.
public func scale(_ t: Tensor, by c: Float) {
    let x = t.data
    parallelFor(t.count) { range in
        for i in range { x[i] *= c }
    }
}
