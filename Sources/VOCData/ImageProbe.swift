import Foundation

/// Checks an image file while a dataset is read and gives its size, or the problem that makes
/// the sample unusable.
enum ImageProbe {
    /// File extensions taken as images when a folder is scanned (YOLOv5's IMG_FORMATS that matter here).
    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp"]

    /// The pixel size of the JPEG at `path`, or a skipping problem naming the file and the reason.
    static func probe(_ path: String, check: ImageCheck) -> Result<(width: Int, height: Int), DataProblem> {
        let ext = (path as NSString).pathExtension.lowercased()
        guard ext == "jpg" || ext == "jpeg" else {
            return .failure(DataProblem(file: path, kind: .unsupportedImage,
                                        reason: "'.\(ext)' images are not supported (FreezeStudy reads JPEG only)", skipped: true))
        }
        guard FileManager.default.fileExists(atPath: path) else {
            return .failure(DataProblem(file: path, kind: .missingImage, reason: "image file does not exist", skipped: true))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(DataProblem(file: path, kind: .unreadableFile, reason: "image file cannot be read", skipped: true))
        }
        do {
            switch check {
            case .header:
                let header = try JPEG.header(data, source: path)
                return .success((header.width, header.height))
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
}
