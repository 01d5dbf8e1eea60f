/// A node of PyTorch's module tree: named children, own parameters and buffers (`nn.Module`
/// without its `forward`). Names, the state dict and module counts are walked over it; how the
/// node computes is the business of its kind (`Layer`: one input, one output).
public protocol Module: AnyObject {
    /// Children in the order PyTorch's `__init__` registers them (C3: cv1, cv2, cv3, m).
    var children: [(String, any Module)] { get }
    /// Parameters owned directly by this module ("weight", "bias").
    var ownParameters: [(String, Parameter)] { get }
    /// Buffers owned directly by this module ("running_mean", "running_var").
    var ownBuffers: [(String, Tensor)] { get }
}

extension Module {
    public var children: [(String, any Module)] { [] }
    public var ownParameters: [(String, Parameter)] { [] }
    public var ownBuffers: [(String, Tensor)] { [] }

    /// Parameters of this module and its children, depth first in registration order, named
    /// like PyTorch's `named_parameters(prefix)`.
    public func namedParameters(prefix: String = "") -> [(String, Parameter)] {
        var result = ownParameters.map { (prefix + $0.0, $0.1) }
        for (name, child) in children {
            result += child.namedParameters(prefix: prefix + name + ".")
        }
        return result
    }

    /// Buffers of this module and its children, named like PyTorch's `named_buffers(prefix)`.
    public func namedBuffers(prefix: String = "") -> [(String, Tensor)] {
        var result = ownBuffers.map { (prefix + $0.0, $0.1) }
        for (name, child) in children {
            result += child.namedBuffers(prefix: prefix + name + ".")
        }
        return result
    }

    /// Parameters and buffers named and ordered as PyTorch's `state_dict(prefix)` (without
    /// `num_batches_tracked`): a module's parameters, then its buffers, then its children's.
    public func stateEntries(prefix: String = "") -> [(String, Tensor)] {
        var result = ownParameters.map { (prefix + $0.0, $0.1.value) } + ownBuffers.map { (prefix + $0.0, $0.1) }
        for (name, child) in children {
            result += child.stateEntries(prefix: prefix + name + ".")
        }
        return result
    }

    /// This module and all its descendants, depth first.
    public func descendants() -> [any Module] {
        [self] + children.flatMap { $0.1.descendants() }
    }
}

/// `nn.ModuleList`: children named "0", "1", …, which whoever holds the list runs.
public final class ModuleList: Module {
    public let modules: [any Module]

    /// A list of `modules`, named by position.
    public init(_ modules: [any Module]) { self.modules = modules }

    public var children: [(String, any Module)] { modules.enumerated().map { ("\($0.offset)", $0.element) } }
}
