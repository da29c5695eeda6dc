/// swiftnet's release, for `swiftnet --version` and for what its switches and controller
/// say of themselves.
public let swiftnetRelease = "0.12.0"
