import AWSCore

/// A bucket's lifecycle configuration, as S3 keeps it: an ordered list of rules.
///
/// Every rule is kept as the XML element S3 sent, whatever it holds (tag filters, size
/// filters, dates, noncurrent transitions...), so that changing one rule puts the others
/// back exactly as they were; only the rule being written is built here.
public struct LifecycleConfiguration: Sendable, Equatable {
    public var rules: [LifecycleRule]

    public static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"
    /// S3 accepts at most this many rules per bucket.
    public static let maximumRules = 1000

    public init(rules: [LifecycleRule] = []) {
        self.rules = rules
    }

    /// Reads a GetBucketLifecycleConfiguration answer.
    public static func parse(_ bytes: [UInt8]) throws(LifecycleError) -> LifecycleConfiguration {
        let root: XMLNode
        do {
            root = try XMLNode.parse(bytes)
        } catch {
            throw .unreadable("\(error)")
        }
        guard root.name == "LifecycleConfiguration" else { throw .unreadable("the answer is a <\(root.name)>, not a <LifecycleConfiguration>") }
        return LifecycleConfiguration(rules: root.all("Rule").map(LifecycleRule.init(element:)))
    }

    /// The PutBucketLifecycleConfiguration body.
    public var xml: [UInt8] {
        Array(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            + XMLNode(name: "LifecycleConfiguration", children: rules.map(\.element)).xml(namespace: Self.namespace)).utf8)
    }

    /// The rule with `id`, if there is one.
    public func rule(id: String) -> LifecycleRule? { rules.first { $0.id == id } }

    /// This configuration with `rule` in place of the rule with its id (same position), or
    /// added at the end; every other rule stays as it was.
    public func merging(_ rule: LifecycleRule) throws(LifecycleError) -> LifecycleConfiguration {
        var merged = self
        if let index = rules.firstIndex(where: { $0.id == rule.id }) {
            merged.rules[index] = rule
        } else {
            guard rules.count < Self.maximumRules else { throw .invalid("the bucket already has \(Self.maximumRules) lifecycle rules, S3's limit") }
            merged.rules.append(rule)
        }
        return merged
    }

    /// This configuration without the rule with `id`; nil when there is no such rule.
    public func removing(id: String) -> LifecycleConfiguration? {
        guard rules.contains(where: { $0.id == id }) else { return nil }
        return LifecycleConfiguration(rules: rules.filter { $0.id != id })
    }
}

/// One lifecycle rule: its XML element, and what `lifecycle get` shows of it.
public struct LifecycleRule: Sendable, Equatable {
    /// The `<Rule>` element, all of it.
    public let element: XMLNode

    public init(element: XMLNode) {
        self.element = element
    }

    public var id: String { element.text("ID") ?? "" }
    public var status: String { element.text("Status") ?? "" }

    /// The objects it applies to: `prefix P`, tags, sizes, or every object.
    public var scope: String {
        guard let filter = element["Filter"] else { return element.text("Prefix").map(Self.describe(prefix:)) ?? "all objects" }
        let parts = filter["And"]?.children ?? filter.children
        let described = parts.map { part -> String in
            switch part.name {
            case "Prefix": return Self.describe(prefix: part.text)
            case "Tag": return "tag \(part.text("Key") ?? "")=\(part.text("Value") ?? "")"
            case "ObjectSizeGreaterThan": return "larger than \(part.text) bytes"
            case "ObjectSizeLessThan": return "smaller than \(part.text) bytes"
            default: return part.name
            }
        }
        return described.filter { $0 != "all objects" }.joined(separator: ", ").nonEmpty ?? "all objects"
    }

    /// Its actions in words, in the order they happen to an object.
    public var actions: [String] {
        element.children.compactMap { action -> String? in
            func days(_ name: String) -> String { action.text(name).map { "\($0) d" } ?? action.text("Date") ?? "?" }
            switch action.name {
            case "ID", "Filter", "Prefix", "Status": return nil
            case "Transition": return "\(action.text("StorageClass") ?? "?") after \(days("Days"))"
            case "Expiration":
                if action.text("ExpiredObjectDeleteMarker") == "true" { return "remove expired delete markers" }
                return "expire after \(days("Days"))"
            case "NoncurrentVersionTransition": return "noncurrent to \(action.text("StorageClass") ?? "?") after \(days("NoncurrentDays"))"
            case "NoncurrentVersionExpiration": return "noncurrent expire after \(days("NoncurrentDays"))"
            case "AbortIncompleteMultipartUpload": return "abort incomplete uploads after \(days("DaysAfterInitiation"))"
            default: return action.name
            }
        }
    }

    static func describe(prefix: String) -> String { prefix.isEmpty ? "all objects" : "prefix \(prefix)" }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
