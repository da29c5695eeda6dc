import ArgumentParser
import Foundation
import Swiftnet

/// What the commands that reach a running network share: finding the run, and turning
/// the API's errors into one message and exit status 2 (1 when the run is unreachable).
func remoteRun(_ selector: String) throws -> RunningNetwork {
    do {
        return try RunningNetwork.find(selector)
    } catch let e as ControlError {
        throw badInput(e.error + "; `swiftnet ls` lists the running networks")
    }
}

/// Calls the API and decodes its answer, exiting 2 with the server's message on an error.
func remoteCall<T: Decodable>(_ run: RunningNetwork, _ method: String, _ path: String, _ type: T.Type,
                              body: (some Encodable)? = Optional<String>.none) throws -> T {
    do {
        return try run.client.call(method, path, type, body: body)
    } catch let e as ControlError {
        throw badInput("\(run.name): \(e.error)")
    } catch {
        throw badInput("\(run.name): cannot reach its control socket \(run.socket): \(error) (only root can; try sudo)")
    }
}

/// A path segment for a node name (names are plain, but never trust a path).
func pathSegment(_ s: String) -> String {
    s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_."))) ?? s
}
