import Foundation

/// The images of a VOC `JPEGImages/` folder, found by id whatever the case of their extension.
///
/// The devkit names images `<id>.jpg`; cameras and annotation tools also write `.JPG`, `.jpeg`
/// and `.JPEG`. The folder is listed once, on the first id whose `.jpg` is not there.
final class ImageFolder {
    private let url: URL
    private var byStem: [String: String]?

    init(_ url: URL) { self.url = url }

    /// `<id>.jpg` if it exists, else the first `<id>.<image extension>` in the folder (JPEG
    /// spellings first), else `<id>.jpg` (which the caller reports as missing).
    func file(named id: String) -> URL {
        let jpg = url.appendingPathComponent("\(id).jpg")
        if FileManager.default.fileExists(atPath: jpg.path) { return jpg }
        if byStem == nil { byStem = Self.index(url) }
        return byStem?[id].map { url.appendingPathComponent($0) } ?? jpg
    }

    private static func index(_ url: URL) -> [String: String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
        var byStem: [String: String] = [:]
        for name in names {
            let ext = (name as NSString).pathExtension.lowercased()
            guard let rank = ImageFiles.extensionPreference.firstIndex(of: ext) else { continue }
            let stem = (name as NSString).deletingPathExtension
            if let kept = byStem[stem],
               let keptRank = ImageFiles.extensionPreference.firstIndex(of: (kept as NSString).pathExtension.lowercased()),
               keptRank <= rank { continue }
            byStem[stem] = name
        }
        return byStem
    }
}

/// Finding image files the way YOLOv5's `glob('**/*.*', recursive=True)` does.
enum ImageFiles {
    /// Image extensions (lower case) in order of preference; YOLOv5's IMG_FORMATS that matter here.
    static let extensionPreference = ["jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp"]

    /// Whether `path` names an image by its extension, in any case (`.JPG`, `.Jpeg`).
    static func hasImageExtension(_ path: String) -> Bool {
        extensionPreference.contains((path as NSString).pathExtension.lowercased())
    }

    /// Every image under `folder`, recursively, following symbolic links to folders and files
    /// (as Python's glob does; FileManager's enumerator does not descend into a linked folder,
    /// not even when `folder` itself is one) and leaving out hidden names (glob's `*` does not
    /// match a leading dot, so macOS's `._a.jpg` resource forks are no images). Paths keep the
    /// spelling under `folder`, so the `images/` → `labels/` rule still finds the labels; a link
    /// cycle is visited once. Sorted.
    static func all(under folder: URL) -> [String] {
        var images: [String] = []
        var visited = Set<String>()
        var pending = [folder.path]
        while let path = pending.popLast() {
            guard visited.insert((path as NSString).resolvingSymlinksInPath).inserted,
                  let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { continue }
            for name in names where !name.hasPrefix(".") {
                let child = (path as NSString).appendingPathComponent(name)
                if isDirectory(URL(fileURLWithPath: child)) {
                    pending.append(child)
                } else if hasImageExtension(name) {
                    images.append(child)
                }
            }
        }
        return images.sorted()
    }
}
