import AWSCore
import SyncCore

/// `s3 lifecycle get` output: a table for people, and JSON shaped as the aws CLI prints
/// `get-bucket-lifecycle-configuration` (so scripts written for one read the other).
extension LifecycleConfiguration {
    /// One line per rule: id, status, the objects it applies to, its actions.
    public func table(bucket: String) -> String {
        guard !rules.isEmpty else { return "no lifecycle rules on s3://\(bucket)" }
        let header = ["ID", "STATUS", "APPLIES TO", "ACTIONS"]
        let rows = rules.map { [$0.id, $0.status, $0.scope, $0.actions.joined(separator: ", ")] }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { cells in
            cells.indices.map { i in i == cells.count - 1 ? cells[i] : cells[i] + String(repeating: " ", count: widths[i] - cells[i].count) }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// `{"Rules": [...]}` with the aws CLI's names, lists and numbers.
    public var json: String {
        JSONValue.object([("Rules", .array(rules.map { Self.json($0.element, parent: "LifecycleConfiguration") }))]).serialized
    }

    /// Elements that repeat, and the plural name the aws CLI gives their list.
    private static func listName(of name: String, parent: String) -> String? {
        switch (parent, name) {
        case ("LifecycleConfiguration", "Rule"): "Rules"
        case (_, "Transition"): "Transitions"
        case (_, "NoncurrentVersionTransition"): "NoncurrentVersionTransitions"
        case ("And", "Tag"): "Tags"
        default: nil
        }
    }

    private static let numbers: Set<String> = ["Days", "NoncurrentDays", "DaysAfterInitiation", "NewerNoncurrentVersions",
                                               "ObjectSizeGreaterThan", "ObjectSizeLessThan"]

    private static func json(_ node: XMLNode, parent: String) -> JSONValue {
        guard !node.children.isEmpty else {
            if numbers.contains(node.name), let value = Int64(node.text) { return .integer(value) }
            if node.name == "ExpiredObjectDeleteMarker", node.text == "true" || node.text == "false" { return .bool(node.text == "true") }
            // An empty <Filter/> (every object) is an empty object, not a string.
            return node.name == "Filter" || node.name == "And" ? .object([]) : .string(node.text)
        }
        var order: [String] = []
        var groups: [String: [XMLNode]] = [:]
        for child in node.children {
            if groups[child.name] == nil { order.append(child.name) }
            groups[child.name, default: []].append(child)
        }
        return .object(order.map { name in
            let members = groups[name]!
            if let list = listName(of: name, parent: node.name) {
                return (list, .array(members.map { json($0, parent: node.name) }))
            }
            return (name, json(members[0], parent: node.name))
        })
    }
}
