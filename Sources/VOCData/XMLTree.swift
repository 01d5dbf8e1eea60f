import ConfigFile
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element with the line it starts on: the small tree VOC annotations need.
struct XMLElementNode {
    var name: String
    var line: Int
    var text = ""
    var children: [XMLElementNode] = []

    /// The first child called `name`.
    func child(_ name: String) -> XMLElementNode? { children.first { $0.name == name } }

    /// Every child called `name`, in document order.
    func children(_ name: String) -> [XMLElementNode] { children.filter { $0.name == name } }

    /// The trimmed text of the first child called `name`.
    func text(of name: String) -> String? {
        child(name).map { $0.text.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}

/// A document that is not well-formed XML, with the line FoundationXML stopped at.
struct XMLSyntaxError: Error {
    var line: Int
    var reason: String
}

/// Parses XML bytes into an `XMLElementNode` tree with FoundationXML's `XMLParser` (libxml2).
///
/// What libxml2 accepts is accepted: any encoding the prolog declares (ISO-8859-1, UTF-16 …), a
/// byte-order mark, comments, CDATA sections (`<name><![CDATA[dog]]></name>`) and namespaces
/// (elements are known by their local name, so `<voc:name>` is `name`). Nesting is limited by
/// libxml2 (256 levels), and its entity-expansion guard stops "billion laughs" documents.
///
/// A document in UTF-8 (no byte-order mark or encoding declaration says otherwise) is checked to
/// be UTF-8 before libxml2 sees it: FoundationXML force-unwraps element names it cannot decode,
/// so a single stray byte in a tag name would trap instead of failing (found by the mutation tests).
enum XMLTree {
    static func parse(_ data: Data) throws -> XMLElementNode {
        if isUTF8(data) {
            do { _ = try TextFile.decode(data, file: "") } catch let error as ConfigError {
                throw XMLSyntaxError(line: error.line ?? 1, reason: "not well-formed XML: \(error.reason)")
            }
        }
        let builder = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.delegate = builder
        builder.parser = parser
        let ok = parser.parse()
        if !ok || builder.root == nil {
            let message = parser.parserError.map { describe(code: ($0 as NSError).code) } ?? "no root element"
            throw XMLSyntaxError(line: max(parser.lineNumber, 1), reason: "not well-formed XML: \(message)")
        }
        return builder.root!
    }

    /// Whether XML's rules make `data` UTF-8: no UTF-16 byte-order mark or UTF-16 `<` first, and no
    /// declaration naming another encoding (`<?xml version="1.0" encoding="ISO-8859-1"?>`).
    static func isUTF8(_ data: Data) -> Bool {
        if data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) || data.starts(with: [0x3C, 0x00])
            || data.starts(with: [0x00, 0x3C]) { return false }
        let body = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data[...]
        guard body.starts(with: Array("<?xml".utf8)), let end = body.firstIndex(of: UInt8(ascii: ">")) else { return true }
        let declaration = String(decoding: body[..<end], as: UTF8.self).lowercased()
        guard let range = declaration.range(of: #"encoding\s*=\s*["']([^"']*)["']"#, options: .regularExpression) else { return true }
        let name = declaration[range].split(whereSeparator: { $0 == "\"" || $0 == "'" }).dropFirst().first.map(String.init) ?? ""
        return ["utf-8", "utf8"].contains(name)
    }

    /// A readable name for the libxml2 error codes FoundationXML reports (xmlParserErrors).
    private static func describe(code: Int) -> String {
        let names = [4: "empty document", 5: "the document ends early (an element is not closed)", 9: "invalid character",
                     23: "unescaped '&' or bad entity", 38: "bad attribute value", 41: "attribute without a value",
                     64: "bad XML declaration", 73: "'>' expected", 76: "closing tag does not match the open element",
                     77: "unfinished tag", 85: "extra content after the root element"]
        return names[code].map { "\($0) (libxml2 error \(code))" } ?? "libxml2 error \(code)"
    }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        weak var parser: XMLParser?
        var stack: [XMLElementNode] = []
        var root: XMLElementNode?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            stack.append(XMLElementNode(name: elementName, line: max(parser.lineNumber, 1)))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if !stack.isEmpty { stack[stack.count - 1].text += string }
        }

        func parser(_ parser: XMLParser, foundCDATA block: Data) {
            if !stack.isEmpty { stack[stack.count - 1].text += String(decoding: block, as: UTF8.self) }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            guard let node = stack.popLast() else { return }
            if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
        }
    }
}
