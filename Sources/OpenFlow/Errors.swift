/// Why an OpenFlow message could not be decoded or encoded.
///
/// Decoding never traps: every malformed input ends in one of these cases. A switch can turn a
/// decoding error into the ERROR message the specification asks for with
/// ``wireError(version:)``.
public enum OFError: Error, Hashable, Sendable {
    /// The input ended before a structure did (the string says which and where).
    case truncated(String)
    /// A length field disagrees with the data around it (message, match, action, instruction,
    /// element), or is not a multiple of 8 where the specification asks for one.
    case badLength(String)
    /// The header's version is neither 1.0 (0x01) nor 1.3 (0x04).
    case unsupportedVersion(UInt8)
    /// An action type this library does not know.
    case badActionType(UInt16)
    /// An action whose length is wrong for its type.
    case badActionLength(UInt16)
    /// A set-field action on a field that is not a packet header (in_port).
    case badSetField(UInt8)
    /// An instruction type this library does not know (1.3).
    case badInstructionType(UInt16)
    /// An instruction whose length is wrong for its type (1.3).
    case badInstructionLength(UInt16)
    /// A match type other than OXM (1.3).
    case badMatchType(UInt16)
    /// An OXM TLV of a class or field this library does not know (1.3).
    case badOXMField(oxmClass: UInt16, field: UInt8)
    /// An OXM TLV whose length does not suit its field, or a mask where none is allowed.
    case badOXMLength(field: UInt8, length: UInt8)
    /// The same OXM field twice in one match (1.3).
    case duplicateOXMField(UInt8)
    /// A FLOW_MOD command outside ADD ... DELETE_STRICT.
    case badFlowModCommand(UInt8)
    /// A value that does not fit its field in the chosen version (e.g. a 32-bit port number in
    /// 1.0, or a message longer than 65535 bytes).
    case valueOutOfRange(String)
    /// Something the chosen version cannot express (e.g. ROLE_REQUEST or an IPv6 match in 1.0).
    case unsupported(String)

    /// The ERROR type and code a switch should answer with when it fails to decode a request
    /// with this error, using the numbering of `version`.
    public func wireError(version: OFVersion) -> (type: UInt16, code: UInt16) {
        let v13 = version == .v1_3
        switch self {
        case .truncated, .badLength, .valueOutOfRange:
            return (OFErrorType.badRequest, OFBadRequestCode.badLength)
        case .unsupportedVersion:
            return (OFErrorType.badRequest, OFBadRequestCode.badVersion)
        case .badActionType:
            return (OFErrorType.badAction, 0)  // OFPBAC_BAD_TYPE
        case .badActionLength:
            return (OFErrorType.badAction, 1)  // OFPBAC_BAD_LEN
        case .badSetField:
            return (OFErrorType.badAction, v13 ? 13 : 0)  // OFPBAC_BAD_SET_TYPE
        case .badInstructionType:
            return v13 ? (3, 0) : (OFErrorType.badRequest, OFBadRequestCode.badType)  // OFPBIC_UNKNOWN_INST
        case .badInstructionLength:
            return v13 ? (3, 7) : (OFErrorType.badRequest, OFBadRequestCode.badLength)  // OFPBIC_BAD_LEN
        case .badMatchType:
            return v13 ? (4, 0) : (OFErrorType.badRequest, OFBadRequestCode.badLength)  // OFPBMC_BAD_TYPE
        case .badOXMField:
            return v13 ? (4, 6) : (OFErrorType.badRequest, OFBadRequestCode.badLength)  // OFPBMC_BAD_FIELD
        case .badOXMLength:
            return v13 ? (4, 1) : (OFErrorType.badRequest, OFBadRequestCode.badLength)  // OFPBMC_BAD_LEN
        case .duplicateOXMField:
            return v13 ? (4, 10) : (OFErrorType.badRequest, OFBadRequestCode.badLength)  // OFPBMC_DUP_FIELD
        case .badFlowModCommand:
            return v13 ? (5, 6) : (3, 4)  // OFPFMFC_BAD_COMMAND
        case .unsupported:
            return (OFErrorType.badRequest, OFBadRequestCode.badType)
        }
    }
}

/// ERROR message types that have the same number in 1.0 and 1.3.
///
/// Types from 3 on differ between the versions (1.0: FLOW_MOD_FAILED = 3; 1.3:
/// BAD_INSTRUCTION = 3, BAD_MATCH = 4, FLOW_MOD_FAILED = 5); use ``flowModFailed(_:)``.
public enum OFErrorType {
    /// OFPET_HELLO_FAILED.
    public static let helloFailed: UInt16 = 0
    /// OFPET_BAD_REQUEST.
    public static let badRequest: UInt16 = 1
    /// OFPET_BAD_ACTION.
    public static let badAction: UInt16 = 2
    /// OFPET_FLOW_MOD_FAILED in the numbering of `version`.
    public static func flowModFailed(_ version: OFVersion) -> UInt16 {
        version == .v1_3 ? 5 : 3
    }
}

/// HELLO_FAILED codes (same in 1.0 and 1.3).
public enum OFHelloFailedCode {
    /// OFPHFC_INCOMPATIBLE: no compatible version.
    public static let incompatible: UInt16 = 0
    /// OFPHFC_EPERM.
    public static let permissionError: UInt16 = 1
}

/// BAD_REQUEST codes (same numbers in 1.0 and 1.3 for these).
public enum OFBadRequestCode {
    /// OFPBRC_BAD_VERSION: header version not supported.
    public static let badVersion: UInt16 = 0
    /// OFPBRC_BAD_TYPE: header type not supported.
    public static let badType: UInt16 = 1
    /// OFPBRC_BAD_STAT (1.0) / OFPBRC_BAD_MULTIPART (1.3): stats type not supported.
    public static let badMultipart: UInt16 = 2
    /// OFPBRC_EPERM.
    public static let permissionError: UInt16 = 5
    /// OFPBRC_BAD_LEN: wrong request length for type.
    public static let badLength: UInt16 = 6
    /// OFPBRC_BUFFER_EMPTY.
    public static let bufferEmpty: UInt16 = 7
    /// OFPBRC_BUFFER_UNKNOWN.
    public static let bufferUnknown: UInt16 = 8
}
