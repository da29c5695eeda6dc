extension DNSZone {
    /// The longest CNAME chain followed inside the zone.
    static let maxAliasHops = 16

    /// Builds the complete response to a query.
    ///
    /// The response has the query's id, opcode, RD bit and question section, QR=1, RA=0
    /// and, for NOERROR and NXDOMAIN, AA=1. A, AAAA, PTR, CNAME, SOA and ANY are looked up;
    /// for any type but CNAME and ANY an alias is answered with its CNAME record and then
    /// followed inside the zone, the target's records appended. A name that exists
    /// (possibly as an empty non-terminal) without records of the type gives NOERROR with
    /// no answers; a name that does not exist gives NXDOMAIN; both carry the SOA record in
    /// the authority section. Errors: NOTIMP for an opcode other than QUERY or a zone
    /// transfer (AXFR, IXFR); FORMERR for zero or several questions or an invalid name;
    /// REFUSED for a class other than IN and ANY. Error responses have AA=0 and no records.
    ///
    /// - Parameter query: The query, as decoded.
    /// - Returns: The response to send.
    public func answer(_ query: DNSMessage) -> DNSMessage {
        var response = DNSMessage(id: query.id, qr: true, opcode: query.opcode, aa: true, rd: query.rd,
                                  ra: false, questions: query.questions)
        func fail(_ rcode: DNSResponseCode) -> DNSMessage {
            response.aa = false
            response.rcode = rcode
            return response
        }
        guard query.opcode == .query else { return fail(.notImp) }
        guard query.questions.count == 1 else { return fail(.formErr) }
        let question = query.questions[0]
        guard question.class == .in || question.class == .any else { return fail(.refused) }
        // AXFR (252) and IXFR (251) are not served.
        guard question.type.rawValue != 252 && question.type.rawValue != 251 else { return fail(.notImp) }
        guard var key = DNSName.key(question.name) else { return fail(.formErr) }

        var owner = question.name
        var followed: Set<String> = []
        while true {
            guard let node = nodes[key] else {
                response.rcode = existing.contains(key) ? .noError : .nxDomain
                response.authority = [soaRecord]
                return response
            }
            if let target = node.alias, question.type != .cname, question.type != .any {
                response.answers.append(DNSRecord(name: owner, ttl: ttl, data: .cname(target)))
                followed.insert(key)
                guard let next = DNSName.key(target), !followed.contains(next),
                      followed.count < Self.maxAliasHops else { return response }
                owner = target
                key = next
                continue
            }
            let found = records(of: node, type: question.type, owner: owner)
            if found.isEmpty { response.authority = [soaRecord] }
            response.answers += found
            return response
        }
    }

    /// The records of one name that match a query type.
    ///
    /// - Parameters:
    ///   - node: The name's data.
    ///   - type: The query type; ANY matches every record.
    ///   - owner: The owner name to put in the records (the name as the query spelled it).
    /// - Returns: The records, SOA, CNAME, A, AAAA and PTR in that order.
    private func records(of node: Node, type: DNSRecordType, owner: String) -> [DNSRecord] {
        let any = type == .any
        var list: [DNSRecord] = []
        if node.isApex && (any || type == .soa) {
            var soa = soaRecord
            soa.name = owner
            list.append(soa)
        }
        if let target = node.alias, any || type == .cname {
            list.append(DNSRecord(name: owner, ttl: ttl, data: .cname(target)))
        }
        if any || type == .a {
            list += node.ipv4.map { DNSRecord(name: owner, ttl: ttl, data: .a($0)) }
        }
        if any || type == .aaaa {
            list += node.ipv6.map { DNSRecord(name: owner, ttl: ttl, data: .aaaa($0)) }
        }
        if let target = node.pointer, any || type == .ptr {
            list.append(DNSRecord(name: owner, ttl: ttl, data: .ptr(target)))
        }
        return list
    }
}
