package vaultstore

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/hashicorp/vault/api"

	"github.com/ksm-cli/ksm/sdk"
)

// kvSecret is what a KV v2 read found at the target.
type kvSecret struct {
	data    map[string]any // the current version's fields; nil if none
	version int            // the current version; 0 if never written
	deleted bool           // the current version is deleted or destroyed
}

func (k kvSecret) exists() bool { return k.data != nil }

// kvResponse is the body of a KV v2 read.
type kvResponse struct {
	Data *struct {
		Data     map[string]any `json:"data"`
		Metadata *struct {
			Version      json.Number `json:"version"`
			DeletionTime string      `json:"deletion_time"`
			Destroyed    bool        `json:"destroyed"`
		} `json:"metadata"`
	} `json:"data"`
}

// readKV reads the target's current version. A missing secret is not an
// error (kvSecret.exists is false); a mount that is not KV v2 is. kv2 says
// the mount is known to be KV v2 already.
func readKV(ctx context.Context, sess *session, t target, kv2 bool) (kvSecret, error) {
	req := request{path: t.dataPath(), capabilities: []string{"read"}}
	resp, err := sess.client.Logical().ReadRawWithContext(ctx, req.path)
	if resp != nil {
		defer resp.Body.Close()
	}
	var re *api.ResponseError
	missing := err != nil && errors.As(err, &re) && re.StatusCode == http.StatusNotFound &&
		!containsAny(vaultErrors(re), "no handler for route")
	if err != nil && !missing {
		return kvSecret{}, classify(ctx, t, req, err)
	}
	var body kvResponse
	decodeErr := json.NewDecoder(resp.Body).Decode(&body)
	if decodeErr != nil || body.Data == nil || body.Data.Metadata == nil {
		// A KV v2 answer has metadata, even for a deleted version. Without
		// it: nothing there, or a KV v1 mount (where mount/data/path is
		// just another key).
		if !kv2 {
			if err := checkKV2(ctx, sess, t); err != nil {
				return kvSecret{}, err
			}
		}
		if missing {
			return kvSecret{}, nil
		}
		return kvSecret{}, &sdk.Error{Code: sdk.CodeFailedPrecondition,
			Message: "the answer for " + req.path + " is not a KV version 2 secret",
			Hint:    "give --mount a KV version 2 mount"}
	}
	md := body.Data.Metadata
	v, _ := strconv.Atoi(md.Version.String())
	k := kvSecret{version: v, deleted: md.DeletionTime != "" || md.Destroyed}
	if !missing && !k.deleted {
		k.data = body.Data.Data
		if k.data == nil {
			k.data = map[string]any{}
		}
	}
	return k, nil
}

// missingFailure explains why Load found no config at the target.
func (k kvSecret) missingFailure(t target) *sdk.Error {
	f := &sdk.Error{Code: sdk.CodeNotFound, Message: "no secret at " + t.secretPath(),
		Hint: "check --mount and --path, or store a config there with `ksm profile setup --type=vault --from-profile NAME`"}
	if k.deleted {
		f.Message = "the current version (" + strconv.Itoa(k.version) + ") of " + t.secretPath() + " is deleted"
		f.Hint = "restore it with `vault kv undelete -versions=" + strconv.Itoa(k.version) + " " + t.secretPath() +
			"`, or store a config there with `ksm profile setup --type=vault --from-profile NAME`"
	}
	return f
}

// checkKV2 fails unless the target's mount is a KV version 2 engine, as
// far as Vault tells (sys/internal/ui/mounts answers any token that has a
// capability under the mount). An unanswered question is not an error.
func checkKV2(ctx context.Context, sess *session, t target) error {
	req := request{path: "sys/internal/ui/mounts/" + t.secretPath(), capabilities: []string{"read"}}
	secret, err := sess.client.Logical().ReadWithContext(ctx, req.path)
	if err != nil || secret == nil {
		if f := ctxFailure(ctx, t); f != nil {
			return f
		}
		var re *api.ResponseError
		if errors.As(err, &re) && (re.StatusCode == http.StatusForbidden || re.StatusCode == http.StatusNotFound) {
			return nil
		}
		if err != nil {
			return classify(ctx, t, req, err)
		}
		return nil
	}
	typ, _ := secret.Data["type"].(string)
	version := ""
	if opts, ok := secret.Data["options"].(map[string]any); ok {
		version, _ = opts["version"].(string)
	}
	path, _ := secret.Data["path"].(string)
	switch {
	case typ == "":
		return nil
	case typ != "kv" && typ != "generic":
		return &sdk.Error{Code: sdk.CodeFailedPrecondition,
			Message: "the mount " + path + " is a " + typ + " secrets engine, not KV version 2",
			Hint:    "give --mount a KV version 2 mount (`vault secrets enable -version=2 kv`)"}
	case version != "2":
		return &sdk.Error{Code: sdk.CodeFailedPrecondition,
			Message: "the mount " + path + " is KV version 1; ksm needs KV version 2 (versions and check-and-set)",
			Hint:    "upgrade it with `vault kv enable-versioning " + path + "`, or give --mount a KV version 2 mount"}
	}
	if path != "" && path != t.mount+"/" {
		// The mount is shorter than --mount: --mount includes a folder.
		return &sdk.Error{Code: sdk.CodeFailedPrecondition,
			Message: "the KV mount is " + path + ", not " + t.mount + "/",
			Hint:    "give --mount " + trimSlash(path) + " and put the rest in --path"}
	}
	return nil
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

// writeKV writes fields as a new version with check-and-set on version
// (0: the secret must not exist yet).
func writeKV(ctx context.Context, sess *session, t target, fields map[string]any, version int) error {
	req := request{path: t.dataPath(), capabilities: []string{"create", "update"}}
	_, err := sess.client.Logical().WriteWithContext(ctx, req.path, map[string]any{
		"data":    fields,
		"options": map[string]any{"cas": version},
	})
	if err == nil {
		return nil
	}
	var re *api.ResponseError
	if ctx.Err() == nil && errors.As(err, &re) && re.StatusCode == http.StatusBadRequest && containsAny(vaultErrors(re), "check-and-set") {
		return &sdk.Error{Code: sdk.CodeFailedPrecondition,
			Message: "the secret " + t.secretPath() + " changed while ksm was saving (check-and-set on version " + strconv.Itoa(version) + " failed), so nothing was overwritten",
			Hint:    "look at what changed (`vault kv get " + t.secretPath() + "`), then run the command again"}
	}
	return classify(ctx, t, req, err)
}
