import XCTest
@testable import Swiftnet

/// Runs `body`, expects a `TopologyError`, and checks its line, file and message fragments.
@discardableResult
func expectTopologyError<T>(
    _ body: () throws -> T,
    line expectedLine: Int?,
    file expectedFile: String? = nil,
    contains fragments: [String],
    sourceFile: StaticString = #filePath, sourceLine: UInt = #line
) -> TopologyError? {
    do {
        let value = try body()
        XCTFail("expected a TopologyError, got \(value)", file: sourceFile, line: sourceLine)
        return nil
    } catch let error as TopologyError {
        if let expectedLine {
            XCTAssertEqual(error.location?.line, expectedLine, "wrong line for: \(error)", file: sourceFile, line: sourceLine)
            if let loc = error.location {
                XCTAssertTrue(error.description.hasPrefix("\(loc.file):\(loc.line): "), "\(error.description)", file: sourceFile, line: sourceLine)
            }
        } else {
            XCTAssertNil(error.location, "expected no location: \(error)", file: sourceFile, line: sourceLine)
        }
        if let expectedFile {
            XCTAssertEqual(error.location?.file, expectedFile, file: sourceFile, line: sourceLine)
        }
        for f in fragments {
            XCTAssertTrue(error.message.contains(f), "message lacks '\(f)': \(error.message)", file: sourceFile, line: sourceLine)
        }
        return error
    } catch {
        XCTFail("expected a TopologyError, got \(type(of: error)): \(error)", file: sourceFile, line: sourceLine)
        return nil
    }
}

/// The package's root directory, for the files under Topologies/.
let packageRoot: String = {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3) // Tests/SwiftnetTests/TestSupport.swift
    return parts.joined(separator: "/")
}()
