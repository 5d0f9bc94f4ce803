package generate

import (
	"fmt"
	"time"
)

// Attack is a kind of traffic burst the live writer injects on top of the
// ordinary mix, so that the demo's alert rules have something to fire on.
type Attack string

const (
	// AttackBlocked: calls breaking the contract (request validation), all
	// blocked, on one API in blocking mode, from one attacker address.
	AttackBlocked Attack = "blocked"
	// AttackEnumeration: 404 "path not defined in OAS" (step
	// hostpath_mapping) from one scanning bot.
	AttackEnumeration Attack = "enumeration"
	// AttackRateLimit: 429 answers (step rate_limiting) on one API.
	AttackRateLimit Attack = "rateLimit"
)

// Attacker addresses (TEST-NET-3, never a generated ordinary client).
const (
	AttackerIP = "203.0.113.66"
	BotIP      = "203.0.113.99"
	FloodIP    = "203.0.113.42"
)

// BlockingAPIs are the indexes of the generated APIs in blocking mode (the
// others run in monitor-only mode and never block).
func BlockingAPIs(apis []API) []int {
	var out []int
	for i, a := range apis {
		if !a.NonBlocking {
			out = append(out, i)
		}
	}
	return out
}

// Attack draws one transaction of an attack at ts on the API of index api.
func (s *Source) Attack(ts time.Time, kind Attack, api int) (Generated, error) {
	g := s.g
	if api < 0 || api >= len(g.apis) {
		return Generated{}, fmt.Errorf("attack: no API %d", api)
	}
	a := g.apis[api]
	var (
		sc     scenario
		client string
	)
	switch kind {
	case AttackBlocked:
		sc, client = requestInvalid, AttackerIP
	case AttackEnumeration:
		sc, client = enumeration, BotIP
	case AttackRateLimit:
		sc, client = rateLimited, FloodIP
	default:
		return Generated{}, fmt.Errorf("attack %q is not blocked, enumeration or rateLimit", kind)
	}
	inst := InstanceName(g.rng.Intn(g.instances))
	r := buildRecord(g.rng, ts.Truncate(time.Microsecond), inst, a, client, sc, g.bodies)
	outcome := "blocked"
	if a.NonBlocking {
		outcome = "wouldBlock"
	}
	s.truth.add(&r, inst, outcome, client, s.clients, s.track)
	return Generated{UUID: r.UUID, Instance: inst, APIID: r.API, File: "api-" + a.ID + ".transaction.log", Outcome: outcome, JSON: encodeRecord(&r)}, nil
}

// Bursts schedules attacks in a live writer's run, in cycles of Every:
// a blocked-traffic spike at the start of each cycle (SpikeFor at
// SpikeRate calls/s, on the next blocking API in turn), an enumeration
// burst from the middle of each cycle (EnumFor at EnumRate), and a 429
// storm from the middle of every other cycle (StormFor at StormRate, on
// the next API in turn). Every = 0: no bursts.
type Bursts struct {
	Every     time.Duration
	SpikeFor  time.Duration
	SpikeRate float64
	EnumFor   time.Duration
	EnumRate  float64
	StormFor  time.Duration
	StormRate float64
}

// DemoBursts are the bursts of `npm start`: a spike every 6 minutes.
var DemoBursts = Bursts{Every: 6 * time.Minute, SpikeFor: 2 * time.Minute, SpikeRate: 40,
	EnumFor: 90 * time.Second, EnumRate: 4, StormFor: time.Minute, StormRate: 15}

// burst is one attack under way.
type burst struct {
	kind Attack
	api  int
	rate float64
}

// active lists the attacks under way at elapsed time since the run began.
func (b Bursts) active(elapsed time.Duration, apis []API) []burst {
	if b.Every <= 0 || elapsed < 0 {
		return nil
	}
	cycle := int(elapsed / b.Every)
	pos := elapsed % b.Every
	var out []burst
	if blocking := BlockingAPIs(apis); len(blocking) > 0 && pos < b.SpikeFor && b.SpikeRate > 0 {
		out = append(out, burst{AttackBlocked, blocking[cycle%len(blocking)], b.SpikeRate})
	}
	half := b.Every / 2
	if pos >= half && pos < half+b.EnumFor && b.EnumRate > 0 {
		out = append(out, burst{AttackEnumeration, cycle % len(apis), b.EnumRate})
	}
	if cycle%2 == 1 && pos >= half && pos < half+b.StormFor && b.StormRate > 0 {
		out = append(out, burst{AttackRateLimit, (cycle / 2) % len(apis), b.StormRate})
	}
	return out
}
