#!/usr/bin/env python3
"""Generates the offline demo snapshot under demo/sleeper (and demo/README.md).

    python3 scripts/make-demo-snapshot.py             # (re)write the files
    python3 scripts/make-demo-snapshot.py --check     # exit 1 if the committed files differ from what it writes
    python3 scripts/make-demo-snapshot.py --summary   # also print what is in the data

The snapshot is a made-up 10-team PPR league in the JSON shapes of the public Sleeper API
(https://docs.sleeper.com), stored as URL path + ".json" so a static file server (or Huddle's
`file://` Sleeper source) serves it: `/v1/state/nfl` -> `demo/sleeper/v1/state/nfl.json`,
`/projections/nfl/2026/12` -> `demo/sleeper/projections/nfl/2026/12.json`.

Everything is derived from fixed seeds (random.Random seeded with fixed strings, which Python hashes with
SHA-512, so PYTHONHASHSEED does not matter); the output is byte-identical on every run. Stdlib only.
Names are made up. Edit this script, not the generated files.
"""

import argparse
import json
import os
import random
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMO = os.path.join(REPO, "demo")
SNAPSHOT = "sleeper"  # under DEMO

SEASON = "2026"
WEEK = 12  # the current week
WEEKS = range(1, 19)
LEAGUE_ID = "1180000000000000001"
DRAFT_ID = "1180000000000000002"

TEAMS = [
    ("ARI", "Arizona", "Cardinals"), ("ATL", "Atlanta", "Falcons"), ("BAL", "Baltimore", "Ravens"),
    ("BUF", "Buffalo", "Bills"), ("CAR", "Carolina", "Panthers"), ("CHI", "Chicago", "Bears"),
    ("CIN", "Cincinnati", "Bengals"), ("CLE", "Cleveland", "Browns"), ("DAL", "Dallas", "Cowboys"),
    ("DEN", "Denver", "Broncos"), ("DET", "Detroit", "Lions"), ("GB", "Green Bay", "Packers"),
    ("HOU", "Houston", "Texans"), ("IND", "Indianapolis", "Colts"), ("JAX", "Jacksonville", "Jaguars"),
    ("KC", "Kansas City", "Chiefs"), ("LAC", "Los Angeles", "Chargers"), ("LAR", "Los Angeles", "Rams"),
    ("LV", "Las Vegas", "Raiders"), ("MIA", "Miami", "Dolphins"), ("MIN", "Minnesota", "Vikings"),
    ("NE", "New England", "Patriots"), ("NO", "New Orleans", "Saints"), ("NYG", "New York", "Giants"),
    ("NYJ", "New York", "Jets"), ("PHI", "Philadelphia", "Eagles"), ("PIT", "Pittsburgh", "Steelers"),
    ("SEA", "Seattle", "Seahawks"), ("SF", "San Francisco", "49ers"), ("TB", "Tampa Bay", "Buccaneers"),
    ("TEN", "Tennessee", "Titans"), ("WAS", "Washington", "Commanders"),
]
TEAM_ABBRS = [abbr for abbr, _, _ in TEAMS]

FIRST_NAMES = [
    "Andre", "Beau", "Brock", "Bryce", "Caleb", "Camden", "Carson", "Cody", "Colby", "Cole", "Dalton", "Damon",
    "Dante", "Darius", "Darnell", "Davion", "Deion", "Derek", "Desmond", "Dominic", "Drew", "Elijah", "Emeka",
    "Emmett", "Ethan", "Gavin", "Grady", "Hayden", "Isaiah", "Jalen", "Jamal", "Jared", "Jaylen", "Jonah",
    "Jordan", "Julian", "Kade", "Keenan", "Kendrick", "Khalil", "Kobe", "Landon", "Logan", "Lucas", "Malik",
    "Marcus", "Mason", "Micah", "Miles", "Nolan", "Omar", "Parker", "Quentin", "Rashad", "Reggie", "Reid",
    "Roman", "Ryder", "Shane", "Silas", "Spencer", "Tanner", "Terrell", "Trent", "Tristan", "Tyrell", "Wade",
    "Wesley", "Xavier", "Zane",
]
LAST_NAMES = [
    "Abernathy", "Ashford", "Barlow", "Beckett", "Bramley", "Calloway", "Carver", "Castellano", "Corbin",
    "Dalgleish", "Delaney", "Donnelly", "Eastman", "Ellison", "Faulkner", "Fenwick", "Garrison", "Gentry",
    "Hadley", "Halvorsen", "Hargrove", "Holloway", "Huxley", "Iverson", "Jarrell", "Kensington", "Kimbrough",
    "Lancaster", "Langford", "Lockhart", "Marlowe", "Maddox", "Merriweather", "Montague", "Nakamura",
    "Northcutt", "Okafor", "Oyelaran", "Pemberton", "Prescott-Hale", "Quarles", "Radcliffe", "Ransom",
    "Redmond", "Rutherford", "Sandoval", "Saunders", "Sheffield", "Stallworth", "Sutherland", "Talbot",
    "Thornbury", "Underhill", "Valdez", "Vance", "Wainwright", "Whitlock", "Winslow", "Yarborough", "Zeller",
    "Achebe", "Bancroft", "Blackwood", "Crenshaw", "Drummond", "Everly", "Fairbanks", "Goodwin", "Hollister",
    "Kingsley", "Larkin", "Mayfield-Cross", "Nettles", "Osei", "Pendleton", "Rollins", "Strickland", "Tillman",
    "Upshaw", "Vickers", "Whitfield", "Yates",
]

# Players per position, and each position's preseason points-per-game curve by positional rank r (0 = best).
COUNTS = {"QB": 36, "RB": 70, "WR": 90, "TE": 40, "K": 32, "DEF": 32}
POSITION_ORDER = ["QB", "RB", "WR", "TE", "K", "DEF"]
QUOTA = {"QB": 2, "RB": 5, "WR": 5, "TE": 2, "K": 1, "DEF": 1}  # 16 per roster
NUM_TEAMS = 10


def curve(position, r):
    if position == "QB":  # 32 starters, then backups
        return 25.0 - 0.4 * r if r < 32 else 7.5 - 0.8 * (r - 32)
    if position == "RB":
        return 5.0 + 14.0 * 0.955 ** r
    if position == "WR":
        return 6.0 + 13.0 * 0.965 ** r
    if position == "TE":
        return 4.5 + 9.0 * 0.905 ** r
    if position == "K":
        return 6.0 + 4.0 * 0.92 ** r
    return 4.0 + 6.5 * 0.92 ** r  # DEF


# Replacement level per position (points per game) for search_rank; K and DEF rank after the skill players.
REPLACEMENT = {"QB": 17.4, "RB": 8.6, "WR": 9.7, "TE": 7.2, "K": 7.7 + 4.0, "DEF": 6.8 + 4.0}
# Share of PPR points that come from receptions (one point each): PPR - rec/2 = half-PPR, PPR - rec = standard.
RECEPTION_SHARE = {"QB": 0.0, "RB": 0.17, "WR": 0.33, "TE": 0.38, "K": 0.0, "DEF": 0.0}

ROSTER_POSITIONS = ["QB", "RB", "RB", "WR", "WR", "TE", "FLEX", "SUPER_FLEX", "K", "DEF",
                    "BN", "BN", "BN", "BN", "BN", "BN", "IR"]
SLOTS = ROSTER_POSITIONS[:10]
ELIGIBLE = {"QB": {"QB"}, "RB": {"RB"}, "WR": {"WR"}, "TE": {"TE"}, "K": {"K"}, "DEF": {"DEF"},
            "FLEX": {"RB", "WR", "TE"}, "SUPER_FLEX": {"QB", "RB", "WR", "TE"}}

MEMBERS = [
    ("alice", "Alice's Aces"), ("bob", "Bob's Bombers"), ("carol", "Carol's Crushers"),
    ("dave", "Dave's Dynamos"), ("erin", "Erin's Enforcers"), ("frank", "Frank's Fumblers"),
    ("grace", "Grace's Gridiron"), ("heidi", "Heidi's Hurricanes"), ("ivan", "Ivan's Invincibles"),
    ("judy", "Judy's Juggernauts"),
]

# Bye weeks 5..14: how many teams rest each week (sums to 32).
BYE_COUNTS = {5: 2, 6: 4, 7: 2, 8: 4, 9: 4, 10: 2, 11: 4, 12: 4, 13: 2, 14: 4}

# Week-12 availability factors for the injury statuses (Sleeper projects an Out player at 0).
INJURY_FACTOR = {None: 1.0, "Questionable": 0.85, "Doubtful": 0.45, "Out": 0.0}
BODY_PARTS = ["Hamstring", "Ankle", "Knee", "Shoulder", "Concussion", "Calf", "Back", "Groin", "Foot", "Ribs"]


def rng(*parts):
    """A generator seeded by a fixed string (SHA-512 of it), so each concern has its own stable stream."""
    return random.Random("huddle-demo-2026:" + ":".join(str(p) for p in parts))


def noise(r, spread):
    """1 + a bell-shaped value in [-1.5 spread, 1.5 spread] (sum of three uniforms, no libm)."""
    return 1.0 + spread * (r.random() + r.random() + r.random() - 1.5)


def r2(value):
    """Two decimals; adding 0.0 turns a -0.0 into 0.0."""
    return round(value + 0.0, 2)


class Data:
    """The whole league: players, rosters, schedule and projections."""

    def __init__(self):
        self.players = {}  # id -> dict (internal fields prefixed with "_")
        self.make_players()
        self.draft()
        self.assign_roles()
        self.make_byes()
        self.make_schedule()
        self.make_projections()
        self.set_starters()
        self.play_weeks()
        self.verify()

    # -- players -------------------------------------------------------------------------------------------

    def make_players(self):
        r = rng("players")
        names = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
        r.shuffle(names)
        people = []
        for position in POSITION_ORDER:
            if position == "DEF":
                continue
            count = COUNTS[position]
            teams = self.team_tiers(r, count)
            for rank in range(count):
                first, last = names.pop()
                top = {"QB": 16, "K": 18}.get(position, 12)
                years = int(r.random() ** 1.4 * (top + 1))
                age = 21 + years + r.choice([0, 1, 1, 2]) + (1 if position == "K" else 0)
                people.append({
                    "first_name": first, "last_name": last, "full_name": first + " " + last,
                    "position": position, "fantasy_positions": [position], "team": teams[rank],
                    "years_exp": years, "age": age, "_q": curve(position, rank) * noise(r, 0.04),
                })
        # Sleeper ids grow with time: veterans have low ids, rookies high ones.
        ids = sorted(r.sample(range(1000, 12900), len(people)))
        tiebreak = [r.random() for _ in people]
        order = sorted(range(len(people)), key=lambda i: (-people[i]["years_exp"], tiebreak[i]))
        people = [people[i] for i in order]
        numbers = {abbr: set() for abbr in TEAM_ABBRS}
        for player_id, person in zip(ids, people):
            person["player_id"] = str(player_id)
            person["number"] = self.jersey(r, person["position"], numbers[person["team"]])
            self.players[person["player_id"]] = person
        order = list(range(32))
        r.shuffle(order)
        for rank, index in enumerate(order):
            abbr, city, nickname = TEAMS[index]
            self.players[abbr] = {
                "player_id": abbr, "first_name": city, "last_name": nickname, "full_name": None,
                "position": "DEF", "fantasy_positions": ["DEF"], "team": abbr, "years_exp": None, "age": None,
                "number": None, "_q": curve("DEF", rank) * noise(r, 0.04),
            }
        for player in self.players.values():
            player.update({"status": "Active", "injury_status": None, "injury_body_part": None, "active": True,
                           "sport": "nfl", "_trend": None, "_reserve": False})
            player["_share"] = RECEPTION_SHARE[player["position"]] * noise(r, 0.15)
        value = {pid: p["_q"] - REPLACEMENT[p["position"]] for pid, p in self.players.items()}
        for rank, pid in enumerate(sorted(self.players, key=lambda pid: (-value[pid], pid)), start=1):
            self.players[pid]["search_rank"] = rank

    @staticmethod
    def team_tiers(r, count):
        """Teams for a position's players, best first: each run of 32 covers every team once (depth charts)."""
        teams = []
        while len(teams) < count:
            tier = TEAM_ABBRS[:]
            r.shuffle(tier)
            teams.extend(tier)
        return teams[:count]

    @staticmethod
    def jersey(r, position, used):
        ranges = {"QB": list(range(1, 20)), "RB": list(range(20, 50)) + list(range(0, 10)),
                  "WR": list(range(10, 20)) + list(range(80, 90)) + list(range(0, 10)),
                  "TE": list(range(80, 90)) + list(range(40, 50)), "K": list(range(1, 20))}[position]
        free = [n for n in ranges if n not in used] or [n for n in range(100) if n not in used]
        number = r.choice(free)
        used.add(number)
        return number

    def by_rank(self, ids):
        return sorted(ids, key=lambda pid: self.players[pid]["search_rank"])

    def pos(self, pid):
        return self.players[pid]["position"]

    def name(self, pid):
        p = self.players[pid]
        return p["full_name"] or p["first_name"] + " " + p["last_name"]

    # -- draft ---------------------------------------------------------------------------------------------

    def draft(self):
        """A 16-round snake draft: each pick is the best search_rank at a position the team still needs."""
        available = self.by_rank(self.players)
        need = [dict(QUOTA) for _ in range(NUM_TEAMS)]
        self.rosters = [[] for _ in range(NUM_TEAMS)]
        for rnd in range(sum(QUOTA.values())):
            order = range(NUM_TEAMS) if rnd % 2 == 0 else reversed(range(NUM_TEAMS))
            for team in order:
                pick = next(pid for pid in available if need[team][self.pos(pid)] > 0)
                available.remove(pick)
                need[team][self.pos(pick)] -= 1
                self.rosters[team].append(pick)

    def owner(self, pid):
        for index, roster in enumerate(self.rosters):
            if pid in roster:
                return index
        return None

    def free_agents(self, position=None):
        rostered = {pid for roster in self.rosters for pid in roster}
        return self.by_rank(pid for pid in self.players
                            if pid not in rostered and (position is None or self.pos(pid) == position))

    def of(self, roster, position):
        return self.by_rank(pid for pid in self.rosters[roster] if self.pos(pid) == position
                            and not self.players[pid]["_reserve"])

    # -- the deliberate story ------------------------------------------------------------------------------

    def injure(self, pid, status):
        player = self.players[pid]
        player["injury_status"] = status
        player["injury_body_part"] = rng("body", pid).choice(BODY_PARTS)
        if status == "IR":
            player["status"] = "Injured Reserve"

    def assign_roles(self):
        alice, bob, carol, dave, erin, frank, grace, heidi, ivan, judy = range(10)
        self.alice_out = self.of(alice, "WR")[0]  # her best WR, still in her lineup
        self.injure(self.alice_out, "Out")
        # IR: carol's second RB and heidi's third WR go on reserve; each picks up the best free agent there.
        self.ir = [(carol, self.of(carol, "RB")[1]), (heidi, self.of(heidi, "WR")[2])]
        for roster, pid in self.ir:
            self.injure(pid, "IR")
            self.players[pid]["_reserve"] = True
            self.rosters[roster].append(self.free_agents(self.pos(pid))[0])
        self.injure(self.of(frank, "RB")[3], "Out")
        self.injure(self.free_agents("RB")[2], "Out")
        self.erin_questionable = self.of(erin, "WR")[0]  # a Questionable starter
        self.injure(self.erin_questionable, "Questionable")
        self.injure(self.of(grace, "WR")[4], "Questionable")
        self.injure(self.free_agents("TE")[0], "Questionable")
        self.injure(self.of(judy, "WR")[3], "Doubtful")
        self.injure(self.free_agents("QB")[0], "Doubtful")
        # Free agents whose role grew mid-season: projections rise from week 9 to a new level from week 11.
        healthy = lambda ids: [pid for pid in ids if self.players[pid]["injury_status"] is None]
        self.breakouts = [healthy(self.free_agents("RB"))[3], healthy(self.free_agents("WR"))[6],
                          healthy(self.free_agents("TE"))[1]]
        for pid, target in zip(self.breakouts, [14.8, 14.2, 10.6]):
            self.players[pid]["_trend"] = target
        self.injured = [pid for pid in self.players if self.players[pid]["injury_status"]]

    def make_byes(self):
        """Bye weeks 5..14; week 12's byes hit a player alice benched and one ivan still starts.

        No week-12 bye for rostered kickers and defenses (one per roster: the slot would stay empty), players
        with a short-term injury (their status should show) or the free agents on the rise."""
        rostered_kd = {self.players[pid]["team"] for roster in self.rosters for pid in roster
                       if self.pos(pid) in ("K", "DEF")}
        short_term = {self.players[pid]["team"] for pid in self.injured
                      if self.players[pid]["injury_status"] != "IR"}
        forbidden = rostered_kd | short_term | {self.players[pid]["team"] for pid in self.breakouts}
        alice, ivan = 0, 8
        self.alice_bye = next(pid for pid in self.of(alice, "RB") + self.of(alice, "WR")
                              if self.players[pid]["team"] not in forbidden and pid != self.alice_out)
        teams12 = [self.players[self.alice_bye]["team"]]
        ivans = self.by_rank(self.of(ivan, "RB") + self.of(ivan, "WR") + self.of(ivan, "TE"))
        self.ivan_bye = next(pid for pid in ivans
                             if self.players[pid]["team"] not in forbidden | set(teams12))
        teams12.append(self.players[self.ivan_bye]["team"])
        r = rng("byes")
        others = [abbr for abbr in TEAM_ABBRS if abbr not in forbidden and abbr not in teams12]
        r.shuffle(others)
        for abbr in others:
            if len(teams12) < BYE_COUNTS[WEEK] and self.lineups_fill(teams12 + [abbr]):
                teams12.append(abbr)
        assert self.lineups_fill(teams12), "week 12's byes leave a lineup slot empty"
        assert len(teams12) == BYE_COUNTS[WEEK], "not enough teams free to rest in week 12"
        rest = [abbr for abbr in TEAM_ABBRS if abbr not in teams12]
        r.shuffle(rest)
        self.bye = {}
        for week, count in BYE_COUNTS.items():
            chosen = sorted(teams12) if week == WEEK else sorted(rest.pop() for _ in range(count))
            for abbr in chosen:
                self.bye[abbr] = week

    def lineups_fill(self, resting):
        """Whether every roster can fill every starting slot when `resting` teams are on bye."""
        for roster in self.rosters:
            count = {pos: 0 for pos in POSITION_ORDER}
            for pid in roster:
                player = self.players[pid]
                if player["team"] not in resting and player["injury_status"] not in ("Out", "IR"):
                    count[player["position"]] += 1
            if (count["QB"] < 1 or count["RB"] < 2 or count["WR"] < 2 or count["TE"] < 1 or count["K"] < 1
                    or count["DEF"] < 1 or count["RB"] + count["WR"] + count["TE"] < 6
                    or count["QB"] + count["RB"] + count["WR"] + count["TE"] < 8):
                return False
        return True

    def make_schedule(self):
        """Each week, the teams not on bye paired at random: opponent[week][team]."""
        r = rng("schedule")
        self.opponent = {}
        for week in WEEKS:
            playing = [abbr for abbr in TEAM_ABBRS if self.bye[abbr] != week]
            r.shuffle(playing)
            games = {}
            for home, away in zip(playing[0::2], playing[1::2]):
                games[home], games[away] = away, home
            self.opponent[week] = games
        r = rng("strength")
        self.defense = {abbr: noise(r, 0.08) for abbr in TEAM_ABBRS}  # >1: generous to opposing offenses
        self.offense = {abbr: noise(r, 0.08) for abbr in TEAM_ABBRS}  # >1: hard on opposing defenses

    # -- projections ---------------------------------------------------------------------------------------

    def level(self, pid, week):
        player = self.players[pid]
        target = player["_trend"]
        if target is None or week <= 8:
            return player["_q"]
        ramp = min(1.0, (week - 8) / 3.0)
        return player["_q"] + (target - player["_q"]) * ramp

    def make_projections(self):
        """points[week][pid] = (ppr, half, std); a player with no game that week has no entry."""
        self.points = {week: {} for week in WEEKS}
        for pid in sorted(self.players):
            player = self.players[pid]
            r = rng("projection", pid)
            for week in WEEKS:
                draw = noise(r, 0.12)
                team = player["team"]
                if self.bye[team] == week or (player["injury_status"] == "IR" and week >= WEEK):
                    continue
                opponent = self.opponent[week][team]
                matchup = 2.0 - self.offense[opponent] if player["position"] == "DEF" else self.defense[opponent]
                ppr = max(0.0, self.level(pid, week) * matchup * draw)
                if week == WEEK:
                    ppr *= INJURY_FACTOR.get(player["injury_status"], 1.0)
                ppr = r2(ppr)
                rec = r2(ppr * player["_share"])
                self.points[week][pid] = (ppr, r2(ppr - rec / 2), r2(ppr - rec))

    def proj(self, pid, week=WEEK):
        entry = self.points[week].get(pid)
        return None if entry is None else entry[0]

    def can_start(self, pid, week=WEEK):
        """Huddle's rule: a projection this week and not ruled out (Out, IR)."""
        status = self.players[pid]["injury_status"]
        return self.proj(pid, week) is not None and not (week == WEEK and status in ("Out", "IR"))

    # -- lineups -------------------------------------------------------------------------------------------

    def optimal(self, ids, value):
        """The best starters (slot order, None = nobody can fill the slot) for `value(pid)` (None = cannot start).

        Exact for these slots: every choice of position for FLEX and SUPER_FLEX, each slot taking the best left."""
        ok = [pid for pid in ids if value(pid) is not None and not self.players[pid]["_reserve"]]
        pools = {pos: sorted((pid for pid in ok if self.pos(pid) == pos), key=lambda pid: (-value(pid), pid))
                 for pos in POSITION_ORDER}
        best = None
        for flex in ("RB", "WR", "TE"):
            for superflex in ("QB", "RB", "WR", "TE"):
                taken = {pos: iter(pool) for pos, pool in pools.items()}
                lineup = [next(taken[slot], None) for slot in SLOTS[:6]]
                lineup += [next(taken[flex], None), next(taken[superflex], None)]
                lineup += [next(taken["K"], None), next(taken["DEF"], None)]
                total = sum(value(pid) for pid in lineup if pid is not None)
                if best is None or total > best[0] + 1e-9:
                    best = (total, lineup)
        return best[1]

    def week_value(self, week):
        return lambda pid: self.proj(pid, week) if self.can_start(pid, week) else None

    def lineup_total(self, starters, week=WEEK):
        return r2(sum(self.proj(pid, week) if self.can_start(pid, week) else 0.0 for pid in starters))

    def set_starters(self):
        value = self.week_value(WEEK)
        self.optimal12 = [self.optimal(roster, value) for roster in self.rosters]
        assert all(None not in lineup for lineup in self.optimal12), "a roster cannot fill a slot in week 12"
        self.starters = [list(lineup) for lineup in self.optimal12]
        alice, dave, ivan = 0, 3, 8
        flex = SLOTS.index("FLEX")
        # alice: her Out WR still starts (over her best healthy WR), and a weaker bench player has her FLEX.
        lineup = self.starters[alice]
        lineup[SLOTS.index("WR")] = self.alice_out
        lineup[flex] = self.weaker_bench(alice, lineup, flex)
        # dave: a weaker bench player in his FLEX.
        self.starters[dave][flex] = self.weaker_bench(dave, self.starters[dave], flex)
        # ivan: still starts a player whose team is on bye (in the last dedicated slot of his position).
        slot = max(i for i, name in enumerate(SLOTS) if name == self.pos(self.ivan_bye))
        self.starters[ivan][slot] = self.ivan_bye

    def weaker_bench(self, roster, lineup, slot):
        """The best healthy bench player eligible for `slot` projected below its current starter."""
        bar = self.proj(lineup[slot])
        bench = [pid for pid in self.rosters[roster] if pid not in lineup and self.can_start(pid)
                 and self.pos(pid) in ELIGIBLE[SLOTS[slot]] and self.proj(pid) < bar]
        assert bench, "no weaker bench player for roster %d" % (roster + 1)
        return max(bench, key=lambda pid: (self.proj(pid), pid))

    def waiver(self, roster):
        """What Huddle's waiver check would suggest (up to 3): (free agent, starter he beats, gain)."""
        rostered = {pid for r in self.rosters for pid in r}
        agents = sorted((pid for pid in self.players if pid not in rostered and self.can_start(pid)),
                        key=lambda pid: (-self.proj(pid), pid))
        lineup = self.optimal12[roster]
        replaced, out = set(), []
        for pid in agents:
            if len(out) == 3:
                break
            slots = [i for i in range(len(SLOTS)) if i not in replaced and self.pos(pid) in ELIGIBLE[SLOTS[i]]]
            if not slots:
                continue
            weakest = min(slots, key=lambda i: self.proj(lineup[i]))
            if self.proj(pid) > self.proj(lineup[weakest]):
                replaced.add(weakest)
                out.append((pid, lineup[weakest], r2(self.proj(pid) - self.proj(lineup[weakest]))))
        return out

    def play_weeks(self):
        """Weeks 1..11 played: each roster's best lineup scored with game-day noise, round-robin matchups."""
        r = rng("results")
        actual = {week: {pid: r2(pts[0] * noise(r, 0.5)) for pid, pts in sorted(self.points[week].items())}
                  for week in range(1, WEEK)}
        self.record = [{"wins": 0, "losses": 0, "ties": 0, "fpts": 0.0, "against": 0.0, "ppts": 0.0}
                       for _ in range(NUM_TEAMS)]
        circle = list(range(NUM_TEAMS))
        for week in range(1, WEEK):
            scores, potential = [], []
            for roster in self.rosters:
                lineup = self.optimal(roster, lambda pid: self.proj(pid, week))
                scores.append(r2(sum(actual[week][pid] for pid in lineup if pid is not None)))
                best = self.optimal(roster, lambda pid: actual[week].get(pid))
                potential.append(r2(sum(actual[week][pid] for pid in best if pid is not None)))
            rotation = (week - 1) % (NUM_TEAMS - 1)
            order = [circle[0]] + (circle[1:][-rotation:] + circle[1:][:-rotation] if rotation else circle[1:])
            for a, b in zip(order[:NUM_TEAMS // 2], reversed(order[NUM_TEAMS // 2:])):
                for me, them in ((a, b), (b, a)):
                    rec = self.record[me]
                    rec["fpts"] += scores[me]
                    rec["against"] += scores[them]
                    rec["ppts"] += potential[me]
                    if scores[me] > scores[them]:
                        rec["wins"] += 1
                    elif scores[me] < scores[them]:
                        rec["losses"] += 1
                    else:
                        rec["ties"] += 1

    # -- checks --------------------------------------------------------------------------------------------

    def verify(self):
        every = [pid for roster in self.rosters for pid in roster]
        assert len(every) == len(set(every)), "a player is on two rosters"
        for index, roster in enumerate(self.rosters):
            active = [pid for pid in roster if not self.players[pid]["_reserve"]]
            assert len(active) == 16, (index, len(active))
            assert {pos: sum(self.pos(pid) == pos for pid in active) for pos in QUOTA} == QUOTA
            lineup = self.starters[index]
            assert len(lineup) == 10 and len(set(lineup)) == 10
            for slot, pid in zip(SLOTS, lineup):
                assert pid in active and self.pos(pid) in ELIGIBLE[slot], (index, slot, pid)
        alice_lineup, alice_bench = self.starters[0], [p for p in self.rosters[0] if p not in self.starters[0]]
        assert any(self.players[pid]["injury_status"] == "Out" for pid in alice_lineup)
        assert any(self.can_start(b) and (not self.can_start(s) or self.proj(b) > self.proj(s))
                   and self.pos(b) in ELIGIBLE[slot]
                   for b in alice_bench for slot, s in zip(SLOTS, alice_lineup) if s != self.alice_out)
        assert self.starters[1] == self.optimal12[1], "bob's lineup must be optimal"
        assert not any(self.players[pid]["injury_status"] for pid in self.rosters[1])
        bob = [self.proj(pid) for pid in self.rosters[1] if self.can_start(pid)]
        assert len(bob) == len(set(bob)), "bob has tied projections (ambiguous optimum)"
        for index in range(NUM_TEAMS):
            if index not in (0, 3, 8):  # alice, dave and ivan start the wrong players on purpose
                assert self.starters[index] == self.optimal12[index], "roster %d is not optimal" % (index + 1)
        assert self.erin_questionable in self.starters[4], "erin's Questionable WR must start"
        assert 8 <= len(self.injured) <= 12
        assert self.bye[self.players[self.alice_bye]["team"]] == WEEK
        for week in WEEKS:
            for team, opponent in self.opponent[week].items():
                assert self.opponent[week][opponent] == team and self.bye[team] != week
            assert len(self.opponent[week]) + sum(self.bye[t] == week for t in TEAM_ABBRS) == 32
        for pid in self.injured:
            status = self.players[pid]["injury_status"]
            if status == "Out":
                assert self.points[WEEK][pid] == (0.0, 0.0, 0.0)
            if status == "IR":
                assert all(pid not in self.points[w] for w in range(WEEK, 19))
        for week in WEEKS:
            for pid, (ppr, half, std) in self.points[week].items():
                assert 0.0 <= std <= half <= ppr, (week, pid)
        assert any(self.waiver(i) for i in range(NUM_TEAMS)), "the waiver wire beats nobody"

    # -- output --------------------------------------------------------------------------------------------

    def user_ids(self):
        r = rng("users")
        return [str(r.randrange(400000000000000000, 999999999999999999)) for _ in MEMBERS]

    def files(self):
        """{relative path under demo/: text}"""
        out = {}
        state = {"season": SEASON, "season_type": "regular", "week": WEEK, "display_week": WEEK, "leg": WEEK,
                 "league_season": SEASON, "previous_season": str(int(SEASON) - 1), "season_start_date": "2026-09-10"}
        out["sleeper/v1/state/nfl.json"] = pretty(state)
        players = {pid: {k: v for k, v in p.items() if not k.startswith("_")} for pid, p in self.players.items()}
        out["sleeper/v1/players/nfl.json"] = pretty(players)
        out["sleeper/v1/league/%s.json" % LEAGUE_ID] = pretty(self.league())
        users = self.user_ids()
        out["sleeper/v1/league/%s/users.json" % LEAGUE_ID] = pretty([
            {"user_id": uid, "display_name": name, "avatar": None, "metadata": {"team_name": team},
             "is_owner": index == 0, "is_bot": False, "league_id": LEAGUE_ID, "settings": None}
            for index, (uid, (name, team)) in enumerate(zip(users, MEMBERS))])
        out["sleeper/v1/league/%s/rosters.json" % LEAGUE_ID] = pretty(self.roster_objects(users))
        for week in WEEKS:
            entries = []
            for pid in sorted(self.points[week]):
                ppr, half, std = self.points[week][pid]
                team = self.players[pid]["team"]
                entries.append({"player_id": pid, "week": week, "season": SEASON, "season_type": "regular",
                                "team": team, "opponent": self.opponent[week][team],
                                "stats": {"pts_ppr": ppr, "pts_half_ppr": half, "pts_std": std}})
            out["sleeper/projections/nfl/%s/%d.json" % (SEASON, week)] = one_per_line(entries)
        out["README.md"] = self.readme()
        return out

    def league(self):
        scoring = {
            "pass_yd": 0.04, "pass_td": 4.0, "pass_int": -1.0, "pass_2pt": 2.0,
            "rush_yd": 0.1, "rush_td": 6.0, "rush_2pt": 2.0,
            "rec": 1.0, "rec_yd": 0.1, "rec_td": 6.0, "rec_2pt": 2.0,
            "fum_lost": -2.0, "fum_rec_td": 6.0,
            "xpm": 1.0, "xpmiss": -1.0, "fgm_0_19": 3.0, "fgm_20_29": 3.0, "fgm_30_39": 3.0, "fgm_40_49": 4.0,
            "fgm_50p": 5.0, "fgmiss": -1.0,
            "def_td": 6.0, "def_st_td": 6.0, "st_td": 6.0, "sack": 1.0, "int": 2.0, "fum_rec": 2.0, "safe": 2.0,
            "blk_kick": 2.0, "pts_allow_0": 10.0, "pts_allow_1_6": 7.0, "pts_allow_7_13": 4.0,
            "pts_allow_14_20": 1.0, "pts_allow_21_27": 0.0, "pts_allow_28_34": -1.0, "pts_allow_35p": -4.0,
        }
        settings = {
            "num_teams": NUM_TEAMS, "playoff_week_start": 15, "playoff_teams": 6, "playoff_round_type": 0,
            "waiver_type": 2, "waiver_budget": 100, "waiver_day_of_week": 2, "waiver_clear_days": 2,
            "daily_waivers": 0, "trade_deadline": 11, "reserve_slots": 1, "reserve_allow_out": 1, "taxi_slots": 0,
            "bench_lock": 0, "start_week": 1, "leg": WEEK, "last_scored_leg": WEEK - 1, "type": 0,
            "draft_rounds": 16, "max_keepers": 1, "best_ball": 0, "league_average_match": 0,
        }
        return {"league_id": LEAGUE_ID, "name": "Huddle Demo League", "season": SEASON, "season_type": "regular",
                "sport": "nfl", "status": "in_season", "total_rosters": NUM_TEAMS,
                "roster_positions": ROSTER_POSITIONS, "scoring_settings": scoring, "settings": settings,
                "draft_id": DRAFT_ID, "previous_league_id": None, "avatar": None, "bracket_id": None,
                "loser_bracket_id": None, "metadata": None}

    def roster_objects(self, users):
        standings = sorted(range(NUM_TEAMS), key=lambda i: (self.record[i]["wins"], self.record[i]["fpts"]))
        r = rng("moves")
        rosters = []
        for index, roster in enumerate(self.rosters):
            rec = self.record[index]
            reserve = [pid for pid in roster if self.players[pid]["_reserve"]]
            moves = r.randrange(0, 9) + 2 * len(reserve)
            settings = {"wins": rec["wins"], "losses": rec["losses"], "ties": rec["ties"],
                        "waiver_position": standings.index(index) + 1, "waiver_budget_used": r.randrange(0, 13) * 5,
                        "total_moves": moves, "division": 0}
            for key, total in (("fpts", rec["fpts"]), ("fpts_against", rec["against"]), ("ppts", rec["ppts"])):
                cents = int(round(total * 100))
                settings[key], settings[key + "_decimal"] = cents // 100, cents % 100
            rosters.append({
                "roster_id": index + 1, "owner_id": users[index], "league_id": LEAGUE_ID,
                "players": self.by_rank(roster), "starters": self.starters[index], "reserve": reserve or None,
                "taxi": None, "co_owners": None, "keepers": None, "player_map": None, "metadata": None,
                "settings": settings,
            })
        return rosters

    # -- README and summary --------------------------------------------------------------------------------

    def describe(self, pid, week=WEEK):
        p = self.players[pid]
        proj = self.proj(pid, week)
        status = p["injury_status"]
        if self.bye[p["team"]] == week:
            note = "bye"
        elif proj is None:
            note = "no projection"
        else:
            note = "%.2f" % proj
        return "%s (%s, %s, %s%s)" % (self.name(pid), p["position"], p["team"], note, ", " + status if status else "")

    def readme(self):
        alice_byes = [pid for pid in self.by_rank(self.rosters[0]) if self.bye[self.players[pid]["team"]] == WEEK]
        alice_flex = self.starters[0][SLOTS.index("FLEX")]
        better = self.optimal12[0][SLOTS.index("FLEX")]
        benched_wr = next(pid for pid in self.optimal12[0] if pid not in self.starters[0] and self.pos(pid) == "WR")
        dave_flex = self.starters[3][SLOTS.index("FLEX")]
        dave_better = self.optimal12[3][SLOTS.index("FLEX")]
        bye12 = sorted(t for t in TEAM_ABBRS if self.bye[t] == WEEK)
        injured = []
        for pid in self.by_rank(self.injured):
            holder = self.owner(pid)
            where = "free agent" if holder is None else MEMBERS[holder][0] + (
                " (reserve)" if self.players[pid]["_reserve"] else " (starter)" if pid in self.starters[holder]
                else " (bench)")
            injured.append("| %s | %s | %s | %s |" % (self.name(pid), self.pos(pid), self.players[pid]["injury_status"],
                                                      where))
        waivers = []
        for index in range(NUM_TEAMS):
            for add, drop, gain in self.waiver(index)[:1]:
                waivers.append("%s (add %s over %s, +%.2f)" % (MEMBERS[index][0], self.describe(add),
                                                               self.describe(drop), gain))
        members = ", ".join("%s = %d" % (name, i + 1) for i, (name, _) in enumerate(MEMBERS))
        lines = [
            "# Demo data: an offline Sleeper snapshot",
            "",
            "`sleeper/` is a made-up 10-team PPR fantasy league in the JSON shapes of the public",
            "[Sleeper API](https://docs.sleeper.com), so Huddle runs (and its tests run) without the network.",
            "It is generated, deterministically (fixed seeds, byte-identical output) — do not edit it by hand:",
            "",
            "```sh",
            "python3 scripts/make-demo-snapshot.py          # rewrite demo/sleeper and this README",
            "python3 scripts/make-demo-snapshot.py --check  # exit 1 if the committed files are not what it writes",
            "```",
            "",
            "Each file is a Sleeper URL path with `.json` appended, so any static file server (or Huddle's",
            "`--sleeper-url file://$PWD/demo/sleeper`) serves it as Sleeper would:",
            "",
            "| URL path | file |",
            "|---|---|",
            "| `/v1/state/nfl` | `sleeper/v1/state/nfl.json` (season %s, week %d) |" % (SEASON, WEEK),
            "| `/v1/players/nfl` | `sleeper/v1/players/nfl.json` (%d players: %s) |" % (
                len(self.players), ", ".join("%d %s" % (COUNTS[p], p) for p in POSITION_ORDER)),
            "| `/v1/league/%s` | `sleeper/v1/league/%s.json` |" % (LEAGUE_ID, LEAGUE_ID),
            "| `/v1/league/%s/users` | `sleeper/v1/league/%s/users.json` |" % (LEAGUE_ID, LEAGUE_ID),
            "| `/v1/league/%s/rosters` | `sleeper/v1/league/%s/rosters.json` |" % (LEAGUE_ID, LEAGUE_ID),
            "| `/projections/nfl/%s/{week}` | `sleeper/projections/nfl/%s/{week}.json`, weeks 1–18 |"
            % (SEASON, SEASON),
            "",
            "The league is `%s` (\"Huddle Demo League\"): slots QB, RB, RB, WR, WR, TE, FLEX, SUPER_FLEX, K, DEF,"
            % LEAGUE_ID,
            "6 bench, 1 IR; PPR scoring (`rec` = 1). Its members are the Sleeper users (display names)",
            "%s (roster ids);" % members,
            "`huddle demo load` (and `make run`) links the Huddle users of the same names to those rosters.",
            "The current week is %d. Rosters were snake-drafted by `search_rank` (16 each: 2 QB, 5 RB, 5 WR, 2 TE,"
            % WEEK,
            "1 K, 1 DEF, plus IR); %d players are free agents. Projections follow each player's quality, the" % len(
                self.free_agents()),
            "opponent and weekly noise; a team on bye has no entries that week, an IR player none from week %d," % WEEK,
            "and an Out player projects 0 in week %d." % WEEK,
            "",
            "## What is deliberately in it (week %d)" % WEEK,
            "",
            "Players are shown as name (position, team, week-%d PPR projection or bye, injury status)." % WEEK,
            "",
            "- **alice (roster 1)** starts %s at WR over %s on her bench, and %s at FLEX over"
            % (self.describe(self.alice_out), self.describe(benched_wr), self.describe(alice_flex)),
            "  %s. Her bench also holds %s, whose teams are on bye (correctly benched)."
            % (self.describe(better), ", ".join(self.describe(pid) for pid in alice_byes)),
            "  The lineup optimiser has changes for her.",
            "- **bob (roster 2)** already starts his optimal lineup: no changes to suggest.",
            "- **dave (roster 4)** starts %s at FLEX over %s on his bench." % (self.describe(dave_flex),
                                                                            self.describe(dave_better)),
            "- **ivan (roster 9)** still starts %s, whose team is on bye." % self.describe(self.ivan_bye),
            "- **erin (roster 5)** starts %s." % self.describe(self.erin_questionable),
            "- Every other lineup is optimal for week %d." % WEEK,
            "- Teams on bye in week %d: %s." % (WEEK, ", ".join(bye12)),
            "- Injured players:",
            "",
            "  | player | pos | injury_status | roster |",
            "  |---|---|---|---|",
        ]
        lines += ["  " + row for row in injured]
        lines += [
            "",
            "- Free agents worth a pickup (%s rose from week 9 on); the waiver check's best suggestion per member:"
            % ", ".join(self.name(pid) for pid in self.breakouts),
            "",
        ]
        lines += ["  - " + line for line in waivers]
        return "\n".join(lines) + "\n"

    def summary(self):
        out = []
        rostered = {pid for roster in self.rosters for pid in roster}
        out.append("players: %d (%s); rostered %d, free agents %d" % (
            len(self.players), ", ".join("%s %d" % (p, sum(self.pos(x) == p for x in self.players))
                                         for p in POSITION_ORDER), len(rostered), len(self.players) - len(rostered)))
        out.append("injured:")
        for pid in self.by_rank(self.injured):
            holder = self.owner(pid)
            out.append("  %-28s %-3s %-12s %s" % (self.name(pid), self.pos(pid), self.players[pid]["injury_status"],
                                                 "free agent" if holder is None else "roster %d (%s)%s" % (
                                                     holder + 1, MEMBERS[holder][0],
                                                     " reserve" if self.players[pid]["_reserve"] else
                                                     " starter" if pid in self.starters[holder] else " bench")))
        out.append("bye weeks: " + ", ".join("%d: %s" % (w, " ".join(sorted(t for t in TEAM_ABBRS if self.bye[t] == w)))
                                             for w in sorted(BYE_COUNTS)))
        out.append("alice (roster 1), week %d:" % WEEK)
        for slot, pid in zip(SLOTS, self.starters[0]):
            out.append("  %-10s %s" % (slot, self.describe(pid)))
        for pid in self.by_rank(self.rosters[0]):
            if pid not in self.starters[0]:
                out.append("  %-10s %s" % ("BN", self.describe(pid)))
        out.append("  current %.2f, optimal %.2f" % (self.lineup_total(self.starters[0]),
                                                    self.lineup_total(self.optimal12[0])))
        for index, (name, _) in enumerate(MEMBERS):
            changes = sum(a != b for a, b in zip(self.starters[index], self.optimal12[index]))
            out.append("%-6s %d-%d-%d  lineup %.2f (optimal %.2f, %d slot(s) differ); waiver: %s" % (
                name, self.record[index]["wins"], self.record[index]["losses"], self.record[index]["ties"],
                self.lineup_total(self.starters[index]), self.lineup_total(self.optimal12[index]), changes,
                "; ".join("%s over %s +%.2f" % (self.name(a), self.name(d), g) for a, d, g in self.waiver(index))
                or "-"))
        return "\n".join(out)


def pretty(value):
    return json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def one_per_line(entries):
    """A JSON list with one compact entry per line (projections: small diffs, a third of the size)."""
    return "[\n" + ",\n".join(json.dumps(e, sort_keys=True, ensure_ascii=False) for e in entries) + "\n]\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed files differ")
    parser.add_argument("--summary", action="store_true", help="print what is in the data")
    args = parser.parse_args()
    data = Data()
    files = data.files()
    generated = {os.path.join(DEMO, *path.split("/")) for path in files}
    existing = set()
    for root, _, names in os.walk(os.path.join(DEMO, SNAPSHOT)):
        existing |= {os.path.join(root, name) for name in names}
    stale = sorted(existing - generated)
    if args.check:
        problems = []
        for path, text in sorted(files.items()):
            full = os.path.join(DEMO, *path.split("/"))
            try:
                with open(full, "rb") as handle:
                    same = handle.read() == text.encode("utf-8")
            except FileNotFoundError:
                problems.append("missing: demo/" + path)
                continue
            if not same:
                problems.append("differs: demo/" + path)
        problems += ["not generated: " + os.path.relpath(path, REPO) for path in stale]
        for problem in problems:
            print(problem)
        if problems:
            print("the demo snapshot is out of date: run python3 scripts/make-demo-snapshot.py")
        else:
            print("ok: demo/ matches scripts/make-demo-snapshot.py (%d files)" % len(files))
    else:
        for path, text in sorted(files.items()):
            full = os.path.join(DEMO, *path.split("/"))
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as handle:
                handle.write(text.encode("utf-8"))
        for path in stale:
            os.remove(path)
            print("removed " + os.path.relpath(path, REPO))
        size = sum(len(text.encode("utf-8")) for text in files.values())
        print("wrote %d files under demo/ (%d bytes)" % (len(files), size))
        problems = []
    if args.summary:
        print(data.summary())
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
