import TestSupport

/// The parts of `yolov5n-ckpt-manifest.json` (written by `make_ckpt.py`) the tests compare with.
struct Manifest: Decodable {
    struct Pickle: Decodable {
        let zipEntryCount: Int
        let dataPkl: String
        let pickleProtocol: Int
        let globalsInOrderOfFirstUse: [String]
        let storagesByType: [String: StorageCount]
        let opcodeCounts: [String: Int]
        enum CodingKeys: String, CodingKey {
            case zipEntryCount = "zip_entry_count", dataPkl = "data_pkl", pickleProtocol = "pickle_protocol"
            case globalsInOrderOfFirstUse = "globals_in_order_of_first_use", storagesByType = "storages_by_type"
            case opcodeCounts = "opcode_counts"
        }
    }

    struct StorageCount: Decodable, Equatable {
        let count: Int
        let elements: Int
    }

    /// `["float16", [16, 3, 6, 6]]`.
    struct DTypeAndShape: Decodable {
        let dtype: String
        let shape: [Int]
        init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            dtype = try container.decode(String.self)
            shape = try container.decode([Int].self)
        }
    }

    struct ModelTensors: Decodable {
        let className: String
        let trainingFlag: Bool
        let stateDictEntriesByDtype: [String: Int]
        let stateDict: [String: DTypeAndShape]
        let requiresGradAll: Bool
        enum CodingKeys: String, CodingKey {
            case className = "class", trainingFlag = "training_flag", stateDictEntriesByDtype = "state_dict_entries_by_dtype"
            case stateDict = "state_dict", requiresGradAll = "requires_grad_all"
        }
    }

    struct Tensors: Decodable {
        let model: ModelTensors
        let ema: ModelTensors
    }

    let file: String
    let topLevelKeysInOrder: [String]
    let pickle: Pickle
    let tensors: Tensors
    let optKeys: [String]
    enum CodingKeys: String, CodingKey {
        case file, pickle, tensors
        case topLevelKeysInOrder = "top_level_keys_in_order", optKeys = "opt_keys"
    }

    static func load() throws -> Manifest { try Fixtures.json("yolov5n-ckpt-manifest.json") }
}
