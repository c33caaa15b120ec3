/// Why a lifecycle command did nothing: a rule S3 would refuse (or that makes no sense), or an
/// answer that is not a lifecycle configuration.
public enum LifecycleError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    case unreadable(String)

    public var description: String {
        switch self {
        case .invalid(let message): message
        case .unreadable(let message): "unreadable lifecycle configuration: \(message)"
        }
    }
}
