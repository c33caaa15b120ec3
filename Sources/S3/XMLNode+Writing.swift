import AWSCore

extension XMLNode {
    /// The element as XML text: children in order, a leaf's text escaped. Whitespace between
    /// child elements is dropped (S3's documents have no mixed content), and so are attributes,
    /// which the parser does not keep; `namespace` becomes the element's `xmlns`.
    public func xml(namespace: String? = nil) -> String {
        var out = ""
        write(to: &out, namespace: namespace)
        return out
    }

    private func write(to out: inout String, namespace: String?) {
        out += "<" + name
        if let namespace { out += " xmlns=\"\(XMLNode.escape(namespace))\"" }
        out += ">"
        if children.isEmpty {
            out += XMLNode.escape(text)
        } else {
            for child in children { child.write(to: &out, namespace: nil) }
        }
        out += "</" + name + ">"
    }

    /// Text escaped for an XML element.
    public static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }
}
