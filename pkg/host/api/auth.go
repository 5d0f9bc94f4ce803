package api

import (
	"context"
	"crypto/subtle"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Roles of an organisation, as Grafana names them (org.RoleType).
const (
	RoleViewer = "Viewer"
	RoleEditor = "Editor"
	RoleAdmin  = "Admin"
)

var roleRank = map[string]int{RoleViewer: 1, RoleEditor: 2, RoleAdmin: 3}

// User is a signed-in user.
type User struct {
	ID             int64
	Login          string
	Name           string
	Email          string
	Password       string
	Role           string // in org 1
	IsGrafanaAdmin bool
	Created        time.Time
}

// users is the host's user store: admin, editor and viewer are built in
// (password = login), more can be created through /api/admin/users.
type users struct {
	mu     sync.RWMutex
	byID   map[int64]*User
	nextID int64
}

func newUsers() *users {
	u := &users{byID: map[int64]*User{}, nextID: 1}
	now := time.Now()
	for _, b := range []struct{ login, role string }{{"admin", RoleAdmin}, {"editor", RoleEditor}, {"viewer", RoleViewer}} {
		u.add(&User{Login: b.login, Name: b.login, Email: b.login + "@localhost", Password: b.login, Role: b.role, IsGrafanaAdmin: b.login == "admin", Created: now})
	}
	return u
}

func (u *users) add(user *User) *User {
	u.mu.Lock()
	defer u.mu.Unlock()
	user.ID = u.nextID
	u.nextID++
	u.byID[user.ID] = user
	return user
}

func (u *users) byLogin(login string) *User {
	u.mu.RLock()
	defer u.mu.RUnlock()
	for _, user := range u.byID {
		if user.Login == login || user.Email == login {
			return user
		}
	}
	return nil
}

func (u *users) get(id int64) *User {
	u.mu.RLock()
	defer u.mu.RUnlock()
	return u.byID[id]
}

func (u *users) list() []*User {
	u.mu.RLock()
	defer u.mu.RUnlock()
	out := make([]*User, 0, len(u.byID))
	for _, user := range u.byID {
		out = append(out, user)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

type userKey struct{}

// authenticate finds the user of a request: HTTP basic auth (Grafana's
// basic auth client, pkg/services/authn/clients/basic.go), else the
// anonymous role when the host allows it (auth.anonymous); else 401 with
// Grafana's message.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var user *User
		if login, pass, ok := r.BasicAuth(); ok {
			u := s.users.byLogin(login)
			if u == nil || subtle.ConstantTimeCompare([]byte(u.Password), []byte(pass)) != 1 {
				writeMessage(w, http.StatusUnauthorized, "Invalid username or password")
				return
			}
			user = u
		} else if s.opts.AnonymousRole != "" {
			user = &User{Login: "anonymous", Name: "Anonymous", Role: s.opts.AnonymousRole}
		} else {
			w.Header().Set("WWW-Authenticate", `Basic realm="Grafana plugin host"`)
			writeMessage(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, user)))
	})
}

func userOf(r *http.Request) *User {
	u, _ := r.Context().Value(userKey{}).(*User)
	return u
}

// require wraps a handler that needs at least the given org role (or, with
// role "GrafanaAdmin", a server admin); others get 403 with Grafana's
// access-control message.
func require(role string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u := userOf(r)
		allowed := u != nil && (u.IsGrafanaAdmin || (role != "GrafanaAdmin" && roleRank[u.Role] >= roleRank[role]))
		if !allowed {
			writeMessage(w, http.StatusForbidden, "You'll need additional permissions to perform this action.")
			return
		}
		h(w, r)
	}
}

// The user APIs the tests and operators use: create a user (server admin)
// and set a user's org role.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name, Email, Login, Password string
	}
	if err := readJSON(r, &body); err != nil || body.Login == "" || body.Password == "" {
		writeMessage(w, http.StatusBadRequest, "bad request data")
		return
	}
	if s.users.byLogin(body.Login) != nil {
		writeMessage(w, http.StatusPreconditionFailed, "user already exists")
		return
	}
	// New users join org 1 with the default role Viewer (users.auto_assign_org_role).
	u := s.users.add(&User{Login: body.Login, Name: body.Name, Email: body.Email, Password: body.Password, Role: RoleViewer, Created: time.Now()})
	writeJSON(w, http.StatusOK, map[string]any{"id": u.ID, "message": "User created"})
}

func (s *Server) updateOrgUser(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("userId"), 10, 64)
	var body struct{ Role string }
	if err := readJSON(r, &body); err != nil || roleRank[body.Role] == 0 {
		writeMessage(w, http.StatusBadRequest, "bad request data")
		return
	}
	u := s.users.get(id)
	if u == nil {
		writeMessage(w, http.StatusNotFound, "user not found")
		return
	}
	s.users.mu.Lock()
	u.Role = body.Role
	s.users.mu.Unlock()
	writeMessage(w, http.StatusOK, "Organization user updated")
}

// signedInUser is GET /api/user (pkg/api/dtos/user.go, UserProfileDTO).
func (s *Server) signedInUser(w http.ResponseWriter, r *http.Request) {
	u := userOf(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"id": u.ID, "uid": "u" + strconv.FormatInt(u.ID, 10), "email": u.Email, "name": u.Name, "login": u.Login,
		"theme": "", "orgId": 1, "isGrafanaAdmin": u.IsGrafanaAdmin, "isDisabled": false, "isExternal": false,
		"authLabels": []string{}, "updatedAt": u.Created, "createdAt": u.Created, "avatarUrl": "",
	})
}
