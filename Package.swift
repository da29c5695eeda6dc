// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Swiftnet",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Swiftnet", type: .dynamic, targets: ["Swiftnet", "SwiftnetScript", "SwiftnetCLI"]),
        .executable(name: "swiftnet", targets: ["swiftnet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        .systemLibrary(name: "CNetlink", pkgConfig: "libnl-route-3.0",
                       providers: [.apt(["libnl-route-3-dev"])]),
        .systemLibrary(name: "CLibcap", pkgConfig: "libcap",
                       providers: [.apt(["libcap-dev"])]),
        .target(name: "CShims"),
        .target(name: "CLineEdit",
                linkerSettings: [.linkedLibrary("edit")]),
        .target(name: "Netlink", dependencies: ["CNetlink", "Namespaces"]),
        .target(name: "Namespaces", dependencies: ["CShims", "CLibcap"]),
        .target(name: "Swiftnet", dependencies: [
            "Netlink", "Namespaces", "DNS", "CShims", "OpenFlow", "UserSwitch", "Controller",
            .product(name: "Yams", package: "Yams"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // The scripts' adapter: exit statuses and signal handling for `swiftnet run FILE.swift`.
        .target(name: "SwiftnetScript", dependencies: ["Swiftnet", "Namespaces"]),
        .target(name: "SwiftnetCLI", dependencies: ["Swiftnet", "SwiftnetScript", "Namespaces", "CLineEdit"]),
        .executableTarget(name: "swiftnet", dependencies: [
            "Swiftnet", "SwiftnetScript", "SwiftnetCLI", "Controller", "OpenFlow", "Netlink", "Namespaces", "CShims",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "OpenFlow"),
        .target(name: "UserSwitch", dependencies: [
            "OpenFlow", "CShims", "Namespaces", "Netlink",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .target(name: "Controller", dependencies: [
            "OpenFlow",
            .product(name: "HeapModule", package: "swift-collections"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .target(name: "DNS", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ], path: "Sources/DNS"),
        .executableTarget(name: "hello-network", dependencies: ["Swiftnet"], path: "Examples/HelloNetwork"),
        .testTarget(name: "SwiftnetTests", dependencies: ["Swiftnet"]),
        .testTarget(name: "OpenFlowTests", dependencies: ["OpenFlow"]),
        .testTarget(name: "ControllerTests", dependencies: ["Controller", "OpenFlow"]),
        .testTarget(name: "UserSwitchTests", dependencies: ["UserSwitch", "OpenFlow"]),
        .testTarget(name: "DNSTests", dependencies: ["DNS"], path: "Tests/DNSTests"),
        .testTarget(name: "SwiftnetCLITests", dependencies: ["SwiftnetCLI", "Swiftnet"]),
        .testTarget(name: "IntegrationTests", dependencies: ["Swiftnet", "Netlink", "Namespaces", "DNS", "OpenFlow", "CShims"],
                    exclude: ["Controllers"]),
        .testTarget(name: "ExampleTests", dependencies: ["Swiftnet"], path: "Examples/SwiftTests"),
    ],
    swiftLanguageModes: [.v6]
)
