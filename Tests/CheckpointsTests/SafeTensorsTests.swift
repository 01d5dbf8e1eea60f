import Checkpoints
import Foundation
import NeuralCore
import TestSupport
import Testing

/// A safetensors file from a literal header and data section (header padded with spaces to 8).
func safeTensorsBytes(header: String, data: [UInt8]) -> [UInt8] {
    var json = Array(header.utf8)
    json += [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8)
    return withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init) + json + data
}

@Suite struct SafeTensorsTests {
    /// Values whose bits a careless writer or reader would change: NaN payloads, −0, ±inf, subnormals.
    func awkwardTensors() -> [(String, Tensor)] {
        var rng = SeededGenerator(seed: 6)
        let special: [Float] = [.nan, Float(bitPattern: 0x7FC0_1234), Float(bitPattern: 0xFF80_0001), -0.0, .infinity,
                                -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -1e-40]
        return [
            ("model.model.0.conv.weight", Tensor.uniform(shape: [4, 3, 2, 2], in: -1...1, using: &rng)),
            ("ema.model.0.bn.running_var", Tensor(shape: [special.count], values: special)),
            ("momentum.model.0.conv.weight", Tensor(shape: [], values: [0.25])),
            ("empty/ünïcode \"name\"", Tensor(shape: [0, 3])),
            ("a.last", Tensor(shape: [1, 1, 1, 1], values: [7])),
        ]
    }

    let metadata = ["format": "freezestudy-checkpoint-1", "epoch": "12", "freezestudy_version": "0.1.0",
                    "config": #"{"freeze": 10, "name": "a \"quoted\"\nline"}"#]

    @Test func roundTripIsBitIdenticalAndOrdered() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.file("ckpt.safetensors")
        let tensors = awkwardTensors()
        try SafeTensors.write(tensors: tensors, metadata: metadata, to: url)
        let contents = try SafeTensors.read(url)
        #expect(contents.names == tensors.map(\.0))
        #expect(contents.metadata == metadata)
        for (name, tensor) in tensors {
            let back = try #require(contents.tensors[name], "\(name)")
            #expect(back.shape == tensor.shape, "\(name)")
            #expect(back.values.map(\.bitPattern) == tensor.values.map(\.bitPattern), "\(name)")
            #expect(contents.dtypes[name] == .float32)
        }
        let bytes = try Data(contentsOf: url)
        let headerLength = bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(headerLength % 8 == 0)
        // Deterministic: the same tensors give the same bytes, and no temporary file is left behind.
        try SafeTensors.write(tensors: tensors, metadata: metadata, to: url)
        #expect(try Data(contentsOf: url) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["ckpt.safetensors"])
    }

    @Test func fixtureWeightsRoundTrip() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let state = try FixtureCheckpoint.get().stateDict()
        let url = folder.file("yolov5n.safetensors")
        try SafeTensors.write(tensors: state.entries.map { ("model." + $0.name, $0.tensor.tensor()) }, to: url)
        let contents = try SafeTensors.read(url)
        #expect(contents.names == state.names.map { "model." + $0 })
        #expect(contents.metadata.isEmpty)
        for (name, tensor) in state.entries {
            #expect(contents.tensors["model." + name]?.values == tensor.floatValues(), "\(name)")
        }
    }

    @Test func failedWritesLeaveTheOldFile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = folder.file("ckpt.safetensors")
        try SafeTensors.write(tensors: [("a", Tensor(shape: [2], values: [1, 2]))], to: url)
        let before = try Data(contentsOf: url)
        for bad in [[("a", Tensor(shape: [1])), ("a", Tensor(shape: [1]))], [("", Tensor(shape: [1]))],
                    [("__metadata__", Tensor(shape: [1]))]] {
            #expect(throws: CheckpointError.self) { try SafeTensors.write(tensors: bad, to: url) }
        }
        #expect(try Data(contentsOf: url) == before)
        let nowhere = folder.file("missing-folder/ckpt.safetensors")
        #expect(throws: CheckpointError.self) { try SafeTensors.write(tensors: [], to: nowhere) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["ckpt.safetensors"])
    }

    /// Files other writers make: F16, BF16, F64, I64, I32, U8, BOOL, converted on reading.
    @Test func otherDtypesAreConverted() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        func le<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) } }
        let data = le([UInt16(0x3C00), 0xB800]) + le([UInt16(0x4000)]) + le([(0.1 as Double).bitPattern])
            + le([Int64(-9_007_199_254_740_993)]) + le([Int32(-7)]) + [200] + [1, 0]
        let header = #"{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[],"data_offsets":[4,6]},"#
            + #""d":{"dtype":"F64","shape":[1],"data_offsets":[6,14]},"l":{"dtype":"I64","shape":[1,1],"data_offsets":[14,22]},"#
            + #""i":{"dtype":"I32","shape":[1],"data_offsets":[22,26]},"u":{"dtype":"U8","shape":[1],"data_offsets":[26,27]},"#
            + #""t":{"dtype":"BOOL","shape":[2],"data_offsets":[27,29]},"__metadata__":{"k":"v"}}"#
        let url = try folder.write("other.safetensors", safeTensorsBytes(header: header, data: data))
        let contents = try SafeTensors.read(url)
        #expect(contents.names == ["h", "b", "d", "l", "i", "u", "t"])
        #expect(contents.tensors["h"]?.values == [1, -0.5])
        #expect(contents.tensors["b"]?.values == [2] && contents.tensors["b"]?.shape == [])
        #expect(contents.tensors["d"]?.values == [Float(0.1)])
        #expect(contents.tensors["l"]?.values == [Float(-9_007_199_254_740_993)])
        #expect(contents.tensors["i"]?.values == [-7] && contents.tensors["u"]?.values == [200])
        #expect(contents.tensors["t"]?.values == [1, 0])
        #expect(contents.dtypes["l"] == .int64 && contents.metadata == ["k": "v"])
        let file = try SafeTensors.open(url)
        #expect(file.entries["l"]?.int64Values() == [-9_007_199_254_740_993])  // exact, unlike Float32
        #expect(file.entries["d"]?.doubleValues() == [0.1])
    }

    static let badFiles: [(String, [UInt8], String, String)] = [
        ("shorter than the length field", [1, 2, 3], "header length", "fewer than"),
        ("length past the end", withUnsafeBytes(of: UInt64(1000).littleEndian, Array.init) + Array("{}".utf8), "header length", "1000"),
        ("not JSON", safeTensorsBytes(header: "{nope", data: []), "header", "not valid JSON"),
        ("an array", safeTensorsBytes(header: "[1]", data: []), "header", "not an object"),
        ("unknown dtype", safeTensorsBytes(header: #"{"w":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}}"#, data: [0]),
         "tensor 'w'", "unknown dtype 'Q4'"),
        ("past the data", safeTensorsBytes(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0, 0]),
         "tensor 'w'", "past the data section"),
        ("size mismatch", safeTensorsBytes(header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: .init(repeating: 0, count: 8)),
         "tensor 'w'", "needs 12 bytes"),
        ("overlap", safeTensorsBytes(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                                     data: .init(repeating: 0, count: 8)), "tensor 'b'", "overlap tensor 'a'"),
        ("gap", safeTensorsBytes(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: .init(repeating: 0, count: 8)),
         "tensor 'a'", "unused"),
        ("trailing bytes", safeTensorsBytes(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: .init(repeating: 0, count: 6)),
         "data section", "cover 4"),
        ("float shape", safeTensorsBytes(header: #"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, data: .init(repeating: 0, count: 4)),
         "tensor 'a'", "'shape'"),
        ("reversed offsets", safeTensorsBytes(header: #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}"#, data: []),
         "tensor 'a'", "begin <= end"),
        ("metadata value", safeTensorsBytes(header: #"{"__metadata__":{"epoch":3}}"#, data: []), "__metadata__ 'epoch'", "string"),
    ]

    @Test(arguments: 0..<badFiles.count)
    func invalidFilesNameTheTensorAndReason(_ index: Int) throws {
        let (label, bytes, location, reason) = Self.badFiles[index]
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = try folder.write("bad.safetensors", bytes)
        do {
            _ = try SafeTensors.read(url)
            Issue.record("\(label): no error")
        } catch let error as CheckpointError {
            #expect(error.kind == .invalidSafeTensors && error.file == url.path, "\(label): \(error)")
            #expect(error.location == location && error.reason.contains(reason), "\(label): \(error)")
        }
    }
}
