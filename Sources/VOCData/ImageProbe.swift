import Foundation

/// Checks an image file while a dataset is read and gives its size, or the problem that makes
/// the sample unusable.
enum ImageProbe {
    /// The pixel size of the JPEG at `path`, or a skipping problem naming the file and the reason.
    /// The bytes decide, not the extension: a JPEG named `.png` is read (as YOLOv5, through PIL,
    /// reads it), a PNG named `.jpg` is refused as a PNG.
    static func probe(_ path: String, check: ImageCheck) -> Result<(width: Int, height: Int), DataProblem> {
        guard FileManager.default.fileExists(atPath: path) else {
            return .failure(DataProblem(file: path, kind: .missingImage, reason: "image file does not exist", skipped: true))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(DataProblem(file: path, kind: .unreadableFile, reason: "image file cannot be read", skipped: true))
        }
        if let format = otherFormat(data) {
            return .failure(DataProblem(file: path, kind: .unsupportedImage,
                                        reason: "a \(format) image (FreezeStudy reads JPEG only; convert it to JPEG)", skipped: true))
        }
        do {
            switch check {
            case .header:
                let header = try JPEG.header(data, source: path)
                return .success(header.uprightSize)
            case .decode:
                let image = try JPEG.decode(data, source: path)
                return .success((image.width, image.height))
            }
        } catch let error as JPEGError {
            return .failure(DataProblem(file: path, kind: error.unsupported ? .unsupportedImage : .corruptImage,
                                        reason: error.reason, skipped: true))
        } catch {
            return .failure(DataProblem(file: path, kind: .corruptImage, reason: "\(error)", skipped: true))
        }
    }

    /// The name of an image format YOLOv5 reads and FreezeStudy does not, recognised by its
    /// signature; nil for anything else (a JPEG, or bytes that are no image, which the JPEG
    /// reader then refuses with its own reason).
    static func otherFormat(_ data: Data) -> String? {
        let signatures: [(String, [UInt8])] = [
            ("PNG", [0x89, 0x50, 0x4E, 0x47]), ("BMP", [0x42, 0x4D]), ("TIFF", [0x49, 0x49, 0x2A, 0x00]),
            ("TIFF", [0x4D, 0x4D, 0x00, 0x2A]), ("GIF", [0x47, 0x49, 0x46, 0x38]),
        ]
        if let match = signatures.first(where: { data.starts(with: $0.1) }) { return match.0 }
        if data.count >= 12, data.starts(with: [0x52, 0x49, 0x46, 0x46]), data[data.startIndex + 8..<data.startIndex + 12].elementsEqual([0x57, 0x45, 0x42, 0x50]) {
            return "WebP"
        }
        return nil
    }
}
