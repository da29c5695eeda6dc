import CLibcap
import Foundation
import Glibc

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
    /// Inside a container it names exactly the `--cap-add` flags the container lacks.
    public static func missingMessage(command: String = "swiftnet") -> String? {
        let missing = missing()
        if missing.isEmpty { return nil }
        let names = missing.map(\.rawValue).joined(separator: " and ")
        // A capability outside the bounding set cannot be had even as root: the container
        // (or whatever started us) dropped it.
        let unobtainable = missing.filter { cap_get_bound($0.value) != 1 }
        let flags = (unobtainable.isEmpty ? missing : unobtainable).map { "--cap-add \($0.rawValue.dropFirst(4))" }.joined(separator: " ")
        if !unobtainable.isEmpty {
            let lacking = unobtainable.map(\.rawValue).joined(separator: " and ")
            let place = containerEngine().map { "this \($0) container" } ?? "this process's bounding set"
            return "\(names) \(missing.count == 1 ? "is" : "are") needed to create namespaces and links, and \(place) does not allow \(lacking) even to root: "
                + "start the container with \(flags) (or --privileged)"
        }
        return "\(names) \(missing.count == 1 ? "is" : "are") needed to create namespaces and links: run it as root (sudo \(command)), "
            + "or in a container started with \(flags)"
    }

    /// "Docker", "Podman" or "Kubernetes" when this process runs in a container, from the
    /// marks each engine leaves (/.dockerenv, /run/.containerenv, the cgroup path).
    public static func containerEngine() -> String? {
        if access("/.dockerenv", F_OK) == 0 { return "Docker" }
        if access("/run/.containerenv", F_OK) == 0 { return "Podman" }
        if let cgroup = try? String(contentsOfFile: "/proc/1/cgroup", encoding: .utf8) {
            if cgroup.contains("kubepods") { return "Kubernetes" }
            if cgroup.contains("docker") { return "Docker" }
            if cgroup.contains("libpod") { return "Podman" }
            if cgroup.contains("containerd") { return "containerd" }
            if cgroup.contains("lxc") { return "LXC" }
        }
        if let env = getenv("container") { return String(cString: env) }
        return nil
    }
}
