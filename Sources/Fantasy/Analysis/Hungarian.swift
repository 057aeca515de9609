import Foundation

/// The Hungarian algorithm (Kuhn–Munkres with potentials, O(rows² · (rows + columns))), used by the lineup
/// optimiser to find an exact maximum-weight assignment of players to slots.
enum Hungarian {
    /// The assignment of rows to distinct columns that maximises the total weight, where `weights[r][c]` is
    /// the weight of giving column c to row r (nil = not allowed) and a row may also stay unassigned, worth
    /// `unassigned[r]` (default 0 for every row). Returns, per row, its column or nil.
    ///
    /// Staying unassigned is modelled with one dummy column per row (weight `unassigned[r]` for every row),
    /// which makes the problem rectangular with rows ≤ columns and always feasible; the classic
    /// minimisation then runs on cost = −weight.
    static func maximize(_ weights: [[Double?]], unassigned: [Double]? = nil) -> [Int?] {
        let rows = weights.count
        guard rows > 0 else { return [] }
        let real = weights[0].count
        precondition(weights.allSatisfy { $0.count == real }, "every row needs a weight (or nil) per column")
        let empty = unassigned ?? Array(repeating: 0, count: rows)
        precondition(empty.count == rows, "one unassigned weight per row")
        let columns = real + rows

        /// The cost of row r (0-based) taking column c (0-based), nil when not allowed.
        func edgeCost(_ r: Int, _ c: Int) -> Double? {
            if c < real { return weights[r][c].map { -$0 } }
            return -empty[r]
        }

        // 1-based arrays; index 0 is the algorithm's virtual row/column.
        var u = [Double](repeating: 0, count: rows + 1)   // row potentials
        var v = [Double](repeating: 0, count: columns + 1)   // column potentials
        var owner = [Int](repeating: 0, count: columns + 1)   // owner[c] = row holding column c (0 = free)
        var way = [Int](repeating: 0, count: columns + 1)   // previous column on the augmenting path

        for row in 1...rows {
            owner[0] = row
            var column = 0
            var minSlack = [Double](repeating: .infinity, count: columns + 1)
            var used = [Bool](repeating: false, count: columns + 1)
            repeat {
                used[column] = true
                let current = owner[column]
                var delta = Double.infinity
                var next = 0
                for c in 1...columns where !used[c] {
                    if let cost = edgeCost(current - 1, c - 1) {
                        let slack = cost - u[current] - v[c]
                        if slack < minSlack[c] {
                            minSlack[c] = slack
                            way[c] = column
                        }
                    }
                    if minSlack[c] < delta {
                        delta = minSlack[c]
                        next = c
                    }
                }
                // A free dummy column is always reachable, so the search never gets stuck.
                precondition(next != 0, "no augmenting path")
                for c in 0...columns {
                    if used[c] {
                        u[owner[c]] += delta
                        v[c] -= delta
                    } else {
                        minSlack[c] -= delta
                    }
                }
                column = next
            } while owner[column] != 0
            // Flip the augmenting path.
            repeat {
                let previous = way[column]
                owner[column] = owner[previous]
                column = previous
            } while column != 0
        }

        var result = [Int?](repeating: nil, count: rows)
        for c in 0..<real where owner[c + 1] != 0 {
            result[owner[c + 1] - 1] = c
        }
        return result
    }
}
