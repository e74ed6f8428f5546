import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP exchange as the registry client sees it: status, headers (names lowercased) and the body when it
/// was collected in memory.
struct HTTPResponse: Sendable {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]
    var url: URL

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Where a response body goes: collected (up to a limit) or handed chunk by chunk to a consumer that may stop
/// the transfer by throwing.
enum HTTPBodySink {
    case collect(limit: Int)
    case stream(@Sendable (HTTPResponse, [UInt8]) throws -> Void)
}

/// A transport failure (no HTTP response): connection refused or reset, timeout, a consumer that stopped.
struct HTTPTransportError: Error, CustomStringConvertible {
    var reason: String
    /// The consumer of a streamed body threw this.
    var consumerError: (any Error)?
    var description: String { reason }
}

/// Synchronous HTTP over `URLSession` (FoundationNetworking, libcurl on Linux). Redirects are never followed
/// here — the registry client follows them itself so that `Authorization` is never sent to another host —
/// bodies are streamed to a consumer, and nothing is cached or stored (no cookies, no credential store).
final class HTTPTransport: NSObject, URLSessionDataDelegate, @unchecked Sendable {  // unchecked: state behind `lock`
    private final class TaskState {
        let done = DispatchSemaphore(value: 0)
        var response: HTTPURLResponse?
        var body: [UInt8] = []
        let sink: HTTPBodySink
        var failure: HTTPTransportError?
        var challenged = false
        init(sink: HTTPBodySink) { self.sink = sink }
    }

    private let lock = NSLock()
    private var states: [Int: TaskState] = [:]
    private var session: URLSession?

    /// - Parameter idleTimeout: seconds without any byte before a request fails.
    init(idleTimeout: TimeInterval = 60) {
        super.init()
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = idleTimeout
        config.timeoutIntervalForResource = 24 * 3600
        config.httpCookieStorage = nil
        config.urlCredentialStorage = nil
        config.urlCache = nil
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        config.httpMaximumConnectionsPerHost = 8
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        session = URLSession(configuration: config, delegate: self, delegateQueue: queue)
    }

    /// Ends the session (outstanding requests fail).
    func invalidate() { session?.invalidateAndCancel() }

    /// Sends `request` with `body` and waits for the whole response.
    func perform(_ request: URLRequest, body: Data?, sink: HTTPBodySink) throws(HTTPTransportError) -> HTTPResponse {
        guard let session else { throw HTTPTransportError(reason: "the HTTP session is closed") }
        var request = request
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        let task: URLSessionTask
        if let body {
            task = session.uploadTask(with: request, from: body)
        } else {
            task = session.dataTask(with: request)
        }
        let state = TaskState(sink: sink)
        lock.lock(); states[task.taskIdentifier] = state; lock.unlock()
        task.resume()
        state.done.wait()
        lock.lock(); states[task.taskIdentifier] = nil; lock.unlock()
        if let failure = state.failure { throw failure }
        guard let response = state.response, let url = response.url ?? request.url else {
            throw HTTPTransportError(reason: "no HTTP response")
        }
        return HTTPResponse(status: response.statusCode, headers: Self.headers(response), body: state.body, url: url)
    }

    static func headers(_ response: HTTPURLResponse) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in response.allHeaderFields {
            guard let k = k as? String, let v = v as? String else { continue }
            out[k.lowercased()] = v
        }
        return out
    }

    private func state(_ task: URLSessionTask) -> TaskState? {
        lock.lock(); defer { lock.unlock() }
        return states[task.taskIdentifier]
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let http = response as? HTTPURLResponse
        if let http, let problem = HTTPHeaderLimits.problem(in: http) {
            state(dataTask)?.failure = HTTPTransportError(reason: "\(http.url?.host ?? "the registry") answered with \(problem)")
            completionHandler(.cancel)
            return
        }
        state(dataTask)?.response = http
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let state = state(dataTask), state.failure == nil else { return }
        switch state.sink {
        case let .collect(limit):
            guard state.body.count + data.count <= limit else {
                state.failure = HTTPTransportError(reason: "response body is larger than \(limit) bytes")
                dataTask.cancel()
                return
            }
            state.body.append(contentsOf: data)
        case let .stream(consume):
            guard let response = state.response, let url = response.url ?? dataTask.originalRequest?.url else { return }
            let head = HTTPResponse(status: response.statusCode, headers: Self.headers(response), body: [], url: url)
            // Error bodies are collected (small), success bodies streamed.
            if !(200..<300).contains(response.statusCode) {
                if state.body.count < 65536 { state.body.append(contentsOf: data.prefix(65536 - state.body.count)) }
                return
            }
            do { try consume(head, [UInt8](data)) } catch {
                state.failure = HTTPTransportError(reason: "\(error)", consumerError: error)
                dataTask.cancel()
            }
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                    completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        // The registry client answers 401s itself (Basic or Bearer). FoundationNetworking on Linux never completes
        // a task whose challenge gets default handling, so the challenge is cancelled and the 401 (headers only)
        // is reported as the response.
        if let state = state(task) {
            state.challenged = true
            if let r = challenge.failureResponse as? HTTPURLResponse { state.response = r }
        }
        completionHandler(.cancelAuthenticationChallenge, nil)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)  // the caller sees the 3xx and follows it itself
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        guard let state = state(task) else { return }
        if state.response == nil || state.challenged, let r = task.response as? HTTPURLResponse { state.response = r }
        if let error, state.failure == nil, !(state.challenged && state.response?.statusCode == 401) {
            state.failure = HTTPTransportError(reason: Self.describe(error))
        }
        state.done.signal()
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? URLError {
            switch e.code {
            case .cannotConnectToHost: return "connection refused"
            case .networkConnectionLost: return "connection reset"
            case .timedOut: return "timed out"
            case .cannotFindHost: return "unknown host"
            case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid:
                return "TLS failed (\(e.localizedDescription))"
            default: return e.localizedDescription
            }
        }
        return "\(error)"
    }
}
