import Foundation
import Swiftnet
import XCTest

/// The built-in controller's web page in a real browser: headless Chromium (Debian's
/// package) loads http://127.0.0.1:PORT/ui/ of a running network, runs its scripts, and
/// the DOM it leaves must hold every switch, host and link, a downed link drawn down,
/// and the path asked for highlighted. A screenshot is kept for a person to look at.
final class WebViewTests: XCTestCase {
    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs Chromium headless on `url`; its DOM after the scripts ran (or a screenshot).
    func chromium(_ url: String, screenshot: String? = nil) throws -> String {
        let binary = try XCTUnwrap(Self.chromium, "chromium is not installed (make test installs it: apt-get install chromium)")
        let profile = NSTemporaryDirectory() + "swiftnet-chromium-\(getpid())-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: profile) }
        var args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                    "--disable-extensions", "--disable-background-networking", "--user-data-dir=\(profile)",
                    "--virtual-time-budget=6000", "--window-size=1280,900"]
        args += screenshot.map { ["--screenshot=\($0)"] } ?? ["--dump-dom"]
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args + [url]
        // Output to a file: a DOM can be larger than a pipe's buffer.
        let outPath = profile + ".out", errPath = profile + ".err"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outPath); try? FileManager.default.removeItem(atPath: errPath) }
        p.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try p.run()
        let deadline = Date().addingTimeInterval(60)
        while p.isRunning && Date() < deadline { usleep(100_000) }
        if p.isRunning {
            p.terminate()
            p.waitUntilExit()
            XCTFail("chromium did not finish within 60 s")
        }
        let errText = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        XCTAssertEqual(p.terminationStatus, 0, errText)
        let data = FileManager.default.contents(atPath: outPath) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    func testWebPageInHeadlessChromium() throws {
        try requireRoot()
        let before = try RootSnapshot.take()
        var t = try Topology.builtin("torus,3,3")
        t.name = "web\(getpid())"
        for i in t.switches.indices { t.switches[i].kind = .user }
        t.controller = .builtinController
        var options = NetworkOptions()
        options.restPort = ControllerProcess.freePort()
        let base = "http://127.0.0.1:\(options.restPort)"
        try withNetwork(t, options: options) { net in
            XCTAssertTrue(net.pingAll().allReceived)
            let dom = try chromium(base + "/ui/?path=h1x1,h3x3")
            XCTAssertTrue(dom.contains("data-ready=\"1\""), "the page's first poll answered: \(dom.prefix(2000))")
            XCTAssertEqual(count("class=\"node switch", in: dom), 9, "every switch")
            XCTAssertEqual(count("class=\"node host", in: dom), 9, "every host")
            for s in net.topology.switches {
                XCTAssertTrue(dom.contains("id=\"sw-\(String(format: "%016llx", s.dpid))\""), s.name)
                XCTAssertTrue(dom.contains(">\(s.name)<"), "\(s.name) is labelled with its name")
            }
            XCTAssertEqual(count("class=\"link up", in: dom), 18, "a 3x3 torus has 18 switch links, all up")
            XCTAssertEqual(count("class=\"hostlink", in: dom), 9)
            for h in net.topology.hosts { XCTAssertTrue(dom.contains(">\(h.name)<"), "\(h.name) is labelled with its name") }
            // h1x1 and h3x3 hang off neighbouring switches of the torus (it wraps round).
            XCTAssertGreaterThan(count("class=\"link up path\"", in: dom), 0, "the path h1x1 -> h3x3 is highlighted")
            XCTAssertEqual(count("class=\"node host path\"", in: dom), 2, "both ends of the path")
            XCTAssertTrue(dom.contains("data-tx-packets="), "links carry their counters")

            try net.setLink("s1x1", "s1x2", up: false)
            // Link discovery drops it at once (port status); the page polls every second.
            usleep(1_500_000)
            let down = try chromium(base + "/ui/")
            XCTAssertEqual(count("class=\"link down", in: down), 1, "the downed link is drawn down")
            XCTAssertEqual(count("class=\"link up", in: down), 17)
            let shot = NSTemporaryDirectory() + "swiftnet-webview.png"
            _ = try chromium(base + "/ui/?path=h1x1,h1x2", screenshot: shot)
            let size = (try FileManager.default.attributesOfItem(atPath: shot)[.size] as? Int) ?? 0
            XCTAssertGreaterThan(size, 10_000, "a screenshot with a picture in it: \(shot)")
            print("*** web view screenshot: \(shot)")
        }
        XCTAssertEqual(before, try RootSnapshot.take())
    }
}
