/// Writes Pascal VOC annotation XML (the format of `VOC2007/Annotations/*.xml`).
enum VOCXMLWriter {
    /// The annotation of one image; boxes are VOC's 1-based inclusive pixel corners.
    static func annotation(folder: String, filename: String, width: Int, height: Int, database: String,
                           objects: [(name: String, xmin: Int, ymin: Int, xmax: Int, ymax: Int,
                                      difficult: Bool, truncated: Bool, occluded: Bool)]) -> String {
        var xml = """
        <annotation>
        \t<folder>\(escape(folder))</folder>
        \t<filename>\(escape(filename))</filename>
        \t<source>
        \t\t<database>\(escape(database))</database>
        \t\t<annotation>FreezeStudy</annotation>
        \t\t<image>synthetic</image>
        \t</source>
        \t<size>
        \t\t<width>\(width)</width>
        \t\t<height>\(height)</height>
        \t\t<depth>3</depth>
        \t</size>
        \t<segmented>0</segmented>

        """
        for object in objects {
            xml += """
            \t<object>
            \t\t<name>\(escape(object.name))</name>
            \t\t<pose>Unspecified</pose>
            \t\t<truncated>\(object.truncated ? 1 : 0)</truncated>
            \t\t<occluded>\(object.occluded ? 1 : 0)</occluded>
            \t\t<difficult>\(object.difficult ? 1 : 0)</difficult>
            \t\t<bndbox>
            \t\t\t<xmin>\(object.xmin)</xmin>
            \t\t\t<ymin>\(object.ymin)</ymin>
            \t\t\t<xmax>\(object.xmax)</xmax>
            \t\t\t<ymax>\(object.ymax)</ymax>
            \t\t</bndbox>
            \t</object>

            """
        }
        return xml + "</annotation>\n"
    }

    /// XML-escapes text content.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
