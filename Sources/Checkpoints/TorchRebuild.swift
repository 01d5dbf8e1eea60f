/// PyTorch's tensor-rebuilding functions (`torch/_utils.py`), interpreted rather than called.
extension Unpickler {
    /// `_rebuild_tensor(storage, storage_offset, size, stride)`,
    /// `_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`,
    /// `_rebuild_tensor_v3(…, backward_hooks, dtype[, metadata])`: a view of the storage, checked to lie inside it.
    func rebuildTensor(_ arguments: [PickleValue], function: KnownGlobal) throws -> TorchTensor {
        let functionName = function.rawValue.split(separator: ".").last.map(String.init) ?? function.rawValue
        let minimumCount = function == .rebuildTensorV3 ? 7 : 4
        guard arguments.count >= minimumCount else {
            throw error(.wrongType, "\(functionName) needs at least \(minimumCount) arguments, found \(arguments.count)")
        }
        func argument(_ i: Int, _ name: String, _ expected: String) -> CheckpointError {
            error(.wrongType, "\(functionName) argument \(i + 1) (\(name)) must be \(expected), found \(arguments[i].kindName)")
        }
        guard case let .storage(storage) = arguments[0] else { throw argument(0, "storage", "a storage") }
        guard let offset = Self.integer(arguments[1]) else { throw argument(1, "storage_offset", "an int") }
        guard let shape = Self.integers(arguments[2]) else { throw argument(2, "size", "a tuple of ints") }
        guard let strides = Self.integers(arguments[3]) else { throw argument(3, "stride", "a tuple of ints") }
        var requiresGrad = false
        if function != .rebuildTensor, arguments.count > 4 {
            guard case let .bool(flag) = arguments[4] else { throw argument(4, "requires_grad", "a bool") }
            requiresGrad = flag
        }
        var dtype = storage.dtype
        if function == .rebuildTensorV3 {
            guard case let .global(module, name) = arguments[6], let named = TorchStorage.dtype(ofTorchDType: module, name) else {
                throw argument(6, "dtype", "a torch dtype such as torch.float16")
            }
            dtype = named
        }
        if let problem = StoredTensor.layoutProblem(dtype: dtype, shape: shape, strides: strides, storageOffset: offset,
                                                    storageBytes: storage.bytes.count) {
            throw error(.storageOutOfRange, "\(functionName) on storage '\(storage.key)': \(problem)")
        }
        let stored = StoredTensor(checkedDType: dtype, shape: shape, strides: strides, storageOffset: offset, storage: storage.bytes)
        return TorchTensor(stored: stored, storageKey: storage.key, requiresGrad: requiresGrad, isParameter: false)
    }

    /// `_rebuild_parameter(data, requires_grad, backward_hooks)` and `_rebuild_parameter_with_state(…, state)`:
    /// the tensor, marked as a parameter with its `requires_grad`.
    func rebuildParameter(_ arguments: [PickleValue]) throws -> TorchTensor {
        guard arguments.count >= 2 else {
            throw error(.wrongType, "_rebuild_parameter needs at least 2 arguments, found \(arguments.count)")
        }
        guard case let .tensor(data) = arguments[0] else {
            throw error(.wrongType, "_rebuild_parameter argument 1 (data) must be a tensor, found \(arguments[0].kindName)")
        }
        guard case let .bool(requiresGrad) = arguments[1] else {
            throw error(.wrongType, "_rebuild_parameter argument 2 (requires_grad) must be a bool, found \(arguments[1].kindName)")
        }
        return TorchTensor(stored: data.stored, storageKey: data.storageKey, requiresGrad: requiresGrad, isParameter: true)
    }

    private static func integer(_ value: PickleValue) -> Int? {
        if case let .int(v) = value { v } else { nil }
    }

    /// A tuple or list of ints (`torch.Size` has become a tuple by now).
    private static func integers(_ value: PickleValue) -> [Int]? {
        switch value {
        case let .tuple(items): integerItems(items)
        case let .list(list): integerItems(list.items)
        default: nil
        }
    }

    private static func integerItems(_ items: [PickleValue]) -> [Int]? {
        var result: [Int] = []
        for item in items {
            guard let v = integer(item) else { return nil }
            result.append(v)
        }
        return result
    }
}
