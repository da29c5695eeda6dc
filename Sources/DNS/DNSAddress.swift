import Glibc

/// Conversions between IP addresses in text form and the bytes A and AAAA records carry,
/// and the reverse-lookup names of addresses.
public enum DNSAddress {
    /// Parses an IPv4 or IPv6 address in text form.
    ///
    /// - Parameter text: An address such as "10.0.0.1" or "fc00::1".
    /// - Returns: 4 bytes for IPv4, 16 bytes for IPv6, or nil if `text` is neither.
    public static func bytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// Formats 4 or 16 address bytes in the usual text form.
    ///
    /// - Parameter bytes: The address in network byte order.
    /// - Returns: "10.0.0.1" style for 4 bytes, "fc00::1" style for 16, nil for other lengths.
    public static func text(_ bytes: [UInt8]) -> String? {
        let family: Int32
        switch bytes.count {
        case 4: family = AF_INET
        case 16: family = AF_INET6
        default: return nil
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let ok = bytes.withUnsafeBytes { src in
            inet_ntop(family, src.baseAddress, &buffer, socklen_t(buffer.count)) != nil
        }
        guard ok else { return nil }
        let length = buffer.firstIndex(of: 0) ?? buffer.count
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The reverse-lookup name of an address: `d.c.b.a.in-addr.arpa` for IPv4 (RFC 1035
    /// §3.5), the 32 nibbles in reverse order under `ip6.arpa` for IPv6 (RFC 3596 §2.5).
    ///
    /// - Parameter address: An address in text form.
    /// - Returns: The name without a trailing dot, or nil if `address` is not an address.
    public static func reverseName(_ address: String) -> String? {
        bytes(address).map(reverseName(bytes:))
    }

    /// The reverse-lookup name of an address given as bytes.
    ///
    /// - Parameter bytes: 4 bytes (IPv4) or 16 bytes (IPv6); any other count is read as IPv6 nibbles.
    /// - Returns: The name without a trailing dot.
    static func reverseName(bytes: [UInt8]) -> String {
        if bytes.count == 4 {
            return bytes.reversed().map(String.init).joined(separator: ".") + ".in-addr.arpa"
        }
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 4 + 9)
        for b in bytes.reversed() {
            out.append(hex[Int(b & 0x0F)])
            out.append(UInt8(ascii: "."))
            out.append(hex[Int(b >> 4)])
            out.append(UInt8(ascii: "."))
        }
        out.append(contentsOf: "ip6.arpa".utf8)
        return String(decoding: out, as: UTF8.self)
    }
}
