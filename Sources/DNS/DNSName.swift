/// Conversions between domain names in text form and their labels.
///
/// The text form is the master-file one (RFC 1035 §5.1): labels separated by dots, an
/// optional trailing dot, `\.` and `\\` for a literal dot or backslash inside a label,
/// and `\DDD` (three decimal digits) for any byte. The root is "." (or "").
/// Names rendered by this module have no trailing dot, except the root ".".
enum DNSName {
    /// The longest label RFC 1035 allows, in bytes.
    static let maxLabelLength = 63
    /// The longest name RFC 1035 allows on the wire, length bytes and final zero included.
    static let maxWireLength = 255

    /// Splits a name in text form into its labels.
    ///
    /// - Parameter text: The name, with or without a trailing dot.
    /// - Returns: The labels, most specific first; empty for the root.
    /// - Throws: `DNSEncodingError.invalidName` for an empty label, a bad escape, a label
    ///   over 63 bytes or a name over 255 bytes on the wire.
    static func labels(_ text: String) throws(DNSEncodingError) -> [[UInt8]] {
        let utf8 = Array(text.utf8)
        if utf8.isEmpty || utf8 == [UInt8(ascii: ".")] { return [] }
        var labels: [[UInt8]] = []
        var label: [UInt8] = []
        var wireLength = 1
        var i = 0
        func finish() throws(DNSEncodingError) {
            guard !label.isEmpty, label.count <= maxLabelLength else { throw .invalidName(text) }
            wireLength += 1 + label.count
            guard wireLength <= maxWireLength else { throw .invalidName(text) }
            labels.append(label)
            label.removeAll(keepingCapacity: true)
        }
        while i < utf8.count {
            let c = utf8[i]
            if c == UInt8(ascii: ".") {
                try finish()
                i += 1
                if i == utf8.count { return labels }  // trailing dot
                continue
            }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < utf8.count else { throw .invalidName(text) }
                let d = utf8[i + 1]
                if isDigit(d) {
                    guard i + 3 < utf8.count, isDigit(utf8[i + 2]), isDigit(utf8[i + 3]) else {
                        throw .invalidName(text)
                    }
                    let value = Int(d - 48) * 100 + Int(utf8[i + 2] - 48) * 10 + Int(utf8[i + 3] - 48)
                    guard value <= 255 else { throw .invalidName(text) }
                    label.append(UInt8(value))
                    i += 4
                } else {
                    label.append(d)
                    i += 2
                }
                continue
            }
            label.append(c)
            i += 1
        }
        try finish()
        return labels
    }

    /// Renders labels as a name in text form, without a trailing dot.
    ///
    /// - Parameter labels: The labels, most specific first.
    /// - Returns: The name; "." for no labels. Dots and backslashes inside a label are
    ///   escaped with a backslash, bytes outside printable ASCII as `\DDD`.
    static func text<Labels: Collection>(_ labels: Labels) -> String where Labels.Element == [UInt8] {
        if labels.isEmpty { return "." }
        var out: [UInt8] = []
        out.reserveCapacity(labels.reduce(0) { $0 + $1.count + 1 })
        for label in labels {
            if !out.isEmpty { out.append(UInt8(ascii: ".")) }
            appendEscaped(label, to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends one label in text form, escaping what needs escaping.
    ///
    /// - Parameters:
    ///   - label: The label's bytes.
    ///   - out: The text being built.
    static func appendEscaped<Label: Collection>(_ label: Label, to out: inout [UInt8]) where Label.Element == UInt8 {
        for b in label {
            if b == UInt8(ascii: ".") || b == UInt8(ascii: "\\") {
                out.append(UInt8(ascii: "\\"))
                out.append(b)
            } else if b <= 0x20 || b >= 0x7F {
                out.append(UInt8(ascii: "\\"))
                out.append(48 + b / 100)
                out.append(48 + (b / 10) % 10)
                out.append(48 + b % 10)
            } else {
                out.append(b)
            }
        }
    }

    /// The form of a name used to compare names: escapes normalised, no trailing dot,
    /// ASCII letters in lower case (RFC 4343).
    ///
    /// - Parameter text: A name in text form.
    /// - Returns: The comparison key, or nil if `text` is not a valid name.
    static func key(_ text: String) -> String? {
        guard let labels = try? labels(text) else { return nil }
        return key(labels: labels)
    }

    /// The comparison key of a name given as labels.
    ///
    /// - Parameter labels: The labels, most specific first.
    /// - Returns: The labels rendered with `text(_:)` with ASCII letters in lower case.
    static func key(labels: [[UInt8]]) -> String {
        text(labels.map { $0.map(lowercased) })
    }

    /// The ASCII lower-case form of one byte; other bytes are returned unchanged.
    ///
    /// - Parameter b: A byte of a label.
    static func lowercased(_ b: UInt8) -> UInt8 {
        (b >= 65 && b <= 90) ? b + 32 : b
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
}
