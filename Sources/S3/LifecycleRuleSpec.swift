import AWSCore

/// The rule `s3 lifecycle put` writes: objects under a prefix go to Glacier classes after
/// some days and expire later; old versions and unfinished multipart uploads are cleaned up.
/// Checked before any request, so that S3 never sees a rule it would refuse.
public struct LifecycleRuleSpec: Sendable, Equatable {
    public var id: String
    public var prefix: String
    public var glacierInstantRetrievalAfter: Int?
    public var glacierAfter: Int?
    public var deepArchiveAfter: Int?
    public var expireAfter: Int?
    public var noncurrentExpireAfter: Int?
    public var abortIncompleteAfter: Int?

    public init(id: String, prefix: String = "") {
        self.id = id
        self.prefix = prefix
    }

    /// The rule's id when none is given: one per prefix, so that rules for other prefixes stay.
    public static func defaultID(prefix: String) -> String { prefix.isEmpty ? "swiftsync" : "swiftsync-" + prefix }

    /// The transitions given, in S3's order of storage classes (each colder than the one before).
    public var transitions: [(storageClass: String, days: Int)] {
        [("GLACIER_IR", glacierInstantRetrievalAfter), ("GLACIER", glacierAfter), ("DEEP_ARCHIVE", deepArchiveAfter)]
            .compactMap { class_, days in days.map { (class_, $0) } }
    }

    /// Refuses what S3 would refuse, and what would make no sense, with the option to fix.
    public func validate() throws(LifecycleError) {
        guard !id.isEmpty, id.utf8.count <= 255 else { throw .invalid("--id must be 1 to 255 characters") }
        guard prefix.utf8.count <= 1024 else { throw .invalid("--prefix must be at most 1024 bytes") }
        let options: [(String, Int?, Int)] = [
            ("--glacier-ir-after", glacierInstantRetrievalAfter, 0), ("--glacier-after", glacierAfter, 0),
            ("--deep-archive-after", deepArchiveAfter, 0), ("--expire-after", expireAfter, 1),
            ("--noncurrent-expire-after", noncurrentExpireAfter, 1), ("--abort-incomplete-after", abortIncompleteAfter, 1),
        ]
        for case let (option, days?, minimum) in options where days < minimum {
            throw .invalid(days < 0 ? "\(option) \(days): days must not be negative" : "\(option) \(days): must be at least \(minimum) day")
        }
        guard options.contains(where: { $0.1 != nil }) else {
            throw .invalid("nothing to do: give at least one of --glacier-ir-after, --glacier-after, --deep-archive-after, --expire-after, --noncurrent-expire-after, --abort-incomplete-after")
        }
        let steps = transitions
        for (colder, warmer) in zip(steps.dropFirst(), steps) where colder.days <= warmer.days {
            throw .invalid("\(Self.option(colder.storageClass)) \(colder.days) must be later than \(Self.option(warmer.storageClass)) \(warmer.days): objects move to colder classes, GLACIER_IR then GLACIER then DEEP_ARCHIVE")
        }
        if let expireAfter, let last = steps.max(by: { $0.days < $1.days }), expireAfter <= last.days {
            throw .invalid("--expire-after \(expireAfter) must be later than \(Self.option(last.storageClass)) \(last.days): an object would expire before (or as) it is archived")
        }
    }

    static func option(_ storageClass: String) -> String {
        switch storageClass {
        case "GLACIER_IR": "--glacier-ir-after"
        case "GLACIER": "--glacier-after"
        default: "--deep-archive-after"
        }
    }

    /// The `<Rule>` element (validate first).
    public var rule: LifecycleRule {
        func leaf(_ name: String, _ value: String) -> XMLNode { XMLNode(name: name, text: value) }
        var children = [leaf("ID", id), XMLNode(name: "Filter", children: [leaf("Prefix", prefix)]), leaf("Status", "Enabled")]
        for (storageClass, days) in transitions {
            children.append(XMLNode(name: "Transition", children: [leaf("Days", "\(days)"), leaf("StorageClass", storageClass)]))
        }
        if let expireAfter { children.append(XMLNode(name: "Expiration", children: [leaf("Days", "\(expireAfter)")])) }
        if let noncurrentExpireAfter {
            children.append(XMLNode(name: "NoncurrentVersionExpiration", children: [leaf("NoncurrentDays", "\(noncurrentExpireAfter)")]))
        }
        if let abortIncompleteAfter {
            children.append(XMLNode(name: "AbortIncompleteMultipartUpload", children: [leaf("DaysAfterInitiation", "\(abortIncompleteAfter)")]))
        }
        return LifecycleRule(element: XMLNode(name: "Rule", children: children))
    }
}
