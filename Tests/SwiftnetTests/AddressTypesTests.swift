import Foundation
import XCTest
@testable import Swiftnet

/// The typed addresses of the validated model: IPv6Address, the prefix types, and the
/// family-agnostic IPAddress and IPCIDR.
final class AddressTypesTests: XCTestCase {
    func testIPv6AddressParsesAndPrintsCanonically() throws {
        let cases: [(String, String)] = [
            ("fd00::1", "fd00::1"),
            ("FD00:0:0:0:0:0:0:01", "fd00::1"),
            ("fd00:0:0:1::1", "fd00:0:0:1::1"),
            ("::", "::"),
            ("::1", "::1"),
            ("0:0:0:0:0:0:0:0", "::"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("fe80::abcd:ef01", "fe80::abcd:ef01"),
            ("::ffff:10.0.0.1", "::ffff:10.0.0.1"),
            ("::ffff:a00:1", "::ffff:10.0.0.1"),
        ]
        for (text, canonical) in cases {
            let a = try XCTUnwrap(IPv6Address(text), text)
            XCTAssertEqual(a.description, canonical, text)
            XCTAssertEqual(a.bytes.count, 16)
            XCTAssertEqual(IPv6Address(canonical), a, "printing and parsing again gives the same address")
        }
        XCTAssertEqual(IPv6Address("::")?.bytes, [UInt8](repeating: 0, count: 16))
        XCTAssertEqual(IPv6Address("::ffff:10.0.0.1")?.bytes.suffix(6), [0xff, 0xff, 10, 0, 0, 1])
        XCTAssertEqual(IPv6Address("::1")?.bytes.last, 1)
        for bad in ["", ":", ":::", "fd00::1::2", "fd00::/64", "fd00::1%eth0", "10.0.0.1", "g::1",
                    "1:2:3:4:5:6:7:8:9", "12345::1", " fd00::1", "fd00::1 "] {
            XCTAssertNil(IPv6Address(bad), bad)
        }
        XCTAssertNil(IPv6Address(bytes: [1, 2, 3]))
        XCTAssertEqual(IPv6Address(bytes: [0xfd] + [UInt8](repeating: 0, count: 14) + [1])?.description, "fd00::1")
    }

    func testIPv6AddressProperties() {
        XCTAssertTrue(IPv6Address("fe80::1")!.isLinkLocal)
        XCTAssertTrue(IPv6Address("febf::1")!.isLinkLocal)
        XCTAssertFalse(IPv6Address("fec0::1")!.isLinkLocal)
        XCTAssertFalse(IPv6Address("fd00::1")!.isLinkLocal)
        XCTAssertLessThan(IPv6Address("fd00::1")!, IPv6Address("fd00::2")!)
        XCTAssertLessThan(IPv6Address("::")!, IPv6Address("::1")!)
        XCTAssertEqual(IPv6Address("fd00::1"), IPv6Address("fd00:0::0:1"))
    }

    func testIPv6CIDR() throws {
        let c = try XCTUnwrap(IPv6CIDR("FD00:0:0:1::10/64"))
        XCTAssertEqual(c.description, "fd00:0:0:1::10/64")
        XCTAssertEqual(c.prefixLength, 64)
        XCTAssertEqual(c.network.description, "fd00:0:0:1::")
        XCTAssertEqual(c.prefix.description, "fd00:0:0:1::/64")
        XCTAssertTrue(c.contains(IPv6Address("fd00:0:0:1:ffff::1")!))
        XCTAssertFalse(c.contains(IPv6Address("fd00:0:0:2::1")!))
        XCTAssertEqual(IPv6CIDR("fd00::1/128")?.prefix.description, "fd00::1/128")
        XCTAssertEqual(IPv6CIDR("fd00::1/0")?.prefix.description, "::/0")
        XCTAssertTrue(IPv6CIDR("::/0")!.contains(IPv6Address("2001:db8::1")!))
        // A prefix length that does not end on a byte boundary.
        let odd = try XCTUnwrap(IPv6CIDR("fd00:ab80::/25"))
        XCTAssertEqual(odd.prefix.description, "fd00:ab80::/25")
        XCTAssertTrue(odd.contains(IPv6Address("fd00:abff::1")!))
        XCTAssertFalse(odd.contains(IPv6Address("fd00:ab7f::1")!))
        XCTAssertEqual(IPv6CIDR("fd00:abff::1/25")?.network.description, "fd00:ab80::")
        for bad in ["fd00::1", "fd00::1/", "fd00::1/129", "fd00::1/-1", "fd00::1/+64", "fd00::1/64/64",
                    "fd00::1/ 64", "fd00::1/0064", "10.0.0.1/8", "/64", "nonsense/64"] {
            XCTAssertNil(IPv6CIDR(bad), bad)
        }
    }

    func testIPv4Prefix() {
        XCTAssertEqual(IPv4CIDR("10.1.2.3/8")?.prefix.description, "10.0.0.0/8")
        XCTAssertEqual(IPv4CIDR("10.1.2.3/32")?.prefix.description, "10.1.2.3/32")
        XCTAssertEqual(IPv4CIDR("10.1.2.3/0")?.prefix.description, "0.0.0.0/0")
        XCTAssertNil(IPv4CIDR("10.1.2.3"), "the prefix length is required without a default")
        XCTAssertEqual(IPv4CIDR("10.1.2.3", defaultPrefix: 24)?.description, "10.1.2.3/24")
    }

    func testIPAddressTakesEitherFamily() {
        XCTAssertEqual(IPAddress("10.0.0.1"), .v4(IPv4Address("10.0.0.1")!))
        XCTAssertEqual(IPAddress("FD00::1"), .v6(IPv6Address("fd00::1")!))
        XCTAssertEqual(IPAddress("::ffff:10.0.0.1")?.isIPv6, true, "an IPv4-mapped address is IPv6")
        XCTAssertEqual(IPAddress("::")?.description, "::")
        XCTAssertEqual(IPAddress("FD00:0::1")?.description, "fd00::1")
        XCTAssertEqual(IPAddress("10.0.0.1")?.isIPv6, false)
        XCTAssertEqual(IPAddress("10.0.0.1")?.v4?.value, 0x0A00_0001)
        XCTAssertNil(IPAddress("10.0.0.1")?.v6)
        XCTAssertEqual(IPAddress("fd00::1")?.v6, IPv6Address("fd00::1"))
        for bad in ["", "10.0.0.1/8", "fd00::1/64", "h1", "256.0.0.1", "10.0.0", "fd00::1%lo"] {
            XCTAssertNil(IPAddress(bad), bad)
        }
    }

    func testIPCIDR() throws {
        let v4 = try XCTUnwrap(IPCIDR("10.0.1.5/24"))
        XCTAssertEqual(v4, .v4(IPv4CIDR("10.0.1.5/24")!))
        XCTAssertEqual(v4.address, IPAddress("10.0.1.5"))
        XCTAssertEqual(v4.prefixLength, 24)
        XCTAssertEqual(v4.prefix.description, "10.0.1.0/24")
        XCTAssertTrue(v4.contains(IPAddress("10.0.1.200")!))
        XCTAssertFalse(v4.contains(IPAddress("10.0.2.1")!))
        XCTAssertFalse(v4.contains(IPAddress("::ffff:10.0.1.1")!), "another family is never inside")
        let v6 = try XCTUnwrap(IPCIDR("fd00:1::1/64"))
        XCTAssertTrue(v6.isIPv6)
        XCTAssertEqual(v6.v6?.address, IPv6Address("fd00:1::1"))
        XCTAssertNil(v6.v4)
        XCTAssertTrue(v6.contains(IPAddress("fd00:1::99")!))
        XCTAssertFalse(v6.contains(IPAddress("10.0.1.1")!))
        XCTAssertEqual(IPCIDR.any(ipv6: false).description, "0.0.0.0/0")
        XCTAssertEqual(IPCIDR.any(ipv6: true).description, "::/0")
        XCTAssertTrue(IPCIDR.any(ipv6: true).contains(IPAddress("2001:db8::1")!))
        for bad in ["10.0.0.1", "fd00::1", "10.0.0.1/33", "fd00::1/129", "x/8"] {
            XCTAssertNil(IPCIDR(bad), bad)
        }
    }

    func testCodableAsText() throws {
        struct Box: Codable, Equatable {
            var a4: IPv4Address
            var c4: IPv4CIDR
            var a6: IPv6Address
            var c6: IPv6CIDR
            var any: [IPAddress]
            var cidrs: [IPCIDR]
        }
        let box = Box(a4: IPv4Address("10.0.0.1")!, c4: IPv4CIDR("10.0.0.1/8")!, a6: IPv6Address("fd00::1")!,
                      c6: IPv6CIDR("fd00::1/64")!, any: [IPAddress("10.0.0.2")!, IPAddress("::ffff:10.0.0.1")!],
                      cidrs: [IPCIDR("10.0.0.2/24")!, IPCIDR("fd00::2/64")!])
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try enc.encode(box), as: UTF8.self)
        XCTAssertEqual(json, #"{"a4":"10.0.0.1","a6":"fd00::1","any":["10.0.0.2","::ffff:10.0.0.1"],"c4":"10.0.0.1/8","c6":"fd00::1/64","cidrs":["10.0.0.2/24","fd00::2/64"]}"#)
        XCTAssertEqual(try JSONDecoder().decode(Box.self, from: Data(json.utf8)), box)
        XCTAssertThrowsError(try JSONDecoder().decode([IPv6Address].self, from: Data(#"["10.0.0.1"]"#.utf8)))
        XCTAssertThrowsError(try JSONDecoder().decode([IPCIDR].self, from: Data(#"["fd00::1"]"#.utf8)))
        XCTAssertThrowsError(try JSONDecoder().decode([IPAddress].self, from: Data("[1]".utf8)))
    }

    func testValidatedTopologyHoldsTypedAddresses() throws {
        let t = try Topology(name: "t",
                             hosts: [HostSpec(name: "h1", ip6: "FD00:0::1/64"), HostSpec(name: "h2")],
                             switches: [SwitchSpec(name: "s1")],
                             links: [LinkSpec("h1", "s1", location: nil), LinkSpec("h2", "s1", location: nil)]).validated()
        let h1 = try XCTUnwrap(t.host("h1"))
        XCTAssertEqual(h1.ip6, IPv6CIDR("fd00::1/64"))
        XCTAssertEqual(h1.addresses["h1-eth0"], [IPCIDR("10.0.0.1/8")!, IPCIDR("fd00::1/64")!])
        XCTAssertEqual(h1.addresses["h1-eth0"]?.map(\.description), ["10.0.0.1/8", "fd00::1/64"], "IPv6 is printed canonically")
        XCTAssertEqual(try JSONDecoder().decode(ValidatedTopology.self, from: JSONEncoder().encode(t)), t)
    }
}
