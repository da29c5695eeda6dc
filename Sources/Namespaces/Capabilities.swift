import CLibcap

/// The capabilities swiftnet needs to build networks.
public enum RequiredCapability: String, CaseIterable, Sendable {
    case netAdmin = "CAP_NET_ADMIN"
    case sysAdmin = "CAP_SYS_ADMIN"

    var value: cap_value_t {
        switch self {
        case .netAdmin: return cap_value_t(CAP_NET_ADMIN)
        case .sysAdmin: return cap_value_t(CAP_SYS_ADMIN)
        }
    }

    /// The capabilities the calling process lacks in its effective set (read with libcap).
    public static func missing() -> [RequiredCapability] {
        guard let caps = cap_get_proc() else { return allCases }
        defer { cap_free(UnsafeMutableRawPointer(caps)) }
        return allCases.filter { cap in
            var flag = cap_flag_value_t(0)
            if cap_get_flag(caps, cap.value, CAP_EFFECTIVE, &flag) != 0 { return true }
            return flag != CAP_SET
        }
    }

    /// One message naming what is missing and how to run with it, or nil when nothing is.
    public static func missingMessage(command: String = "swiftnet") -> String? {
        let missing = missing()
        if missing.isEmpty { return nil }
        let names = missing.map(\.rawValue).joined(separator: " and ")
        return "swiftnet needs \(names) to create namespaces and links: run it as root (sudo \(command)), "
            + "or in a container started with --cap-add NET_ADMIN --cap-add SYS_ADMIN"
    }
}
