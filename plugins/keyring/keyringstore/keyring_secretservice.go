//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package keyringstore

import (
	"fmt"

	"github.com/godbus/dbus/v5"
	ss "github.com/zalando/go-keyring/secret_service"
)

// On the Secret Service, ksm's items must be Python keyring's, attribute
// for attribute: the service replaces an item only when the new one has
// the same attributes, so an item ksm wrote with fewer attributes would
// survive Keeper's CLI saving over it, as a duplicate that either CLI may
// read next. The library's own Set writes only service and username, so
// this uses its Secret Service client with Python's attributes.

// pythonApplication is the "application" attribute Python's keyring (and
// so Keeper's CLI) gives its items.
const pythonApplication = "Python keyring library"

func attributes(service, item string) map[string]string {
	return map[string]string{"application": pythonApplication, "service": service, "username": item}
}

// search finds an item the way Python's keyring does: by service and
// username only, so items without its application attribute are found too.
func search(svc *ss.SecretService, collection dbus.BusObject, service, item string) ([]dbus.ObjectPath, error) {
	if err := svc.Unlock(collection.Path()); err != nil {
		return nil, err
	}
	return svc.SearchItems(collection, map[string]string{"service": service, "username": item})
}

func osGet(service, item string) (string, error) {
	svc, err := ss.NewSecretService()
	if err != nil {
		return "", err
	}
	found, err := search(svc, svc.GetLoginCollection(), service, item)
	if err != nil {
		return "", err
	}
	if len(found) == 0 {
		return "", ErrNotFound
	}
	session, err := svc.OpenSession()
	if err != nil {
		return "", err
	}
	defer svc.Close(session)
	if err := svc.Unlock(found[0]); err != nil {
		return "", err
	}
	secret, err := svc.GetSecret(found[0], session.Path())
	if err != nil {
		return "", err
	}
	return string(secret.Value), nil
}

func osSet(service, item, secret string) error {
	svc, err := ss.NewSecretService()
	if err != nil {
		return err
	}
	collection := svc.GetLoginCollection()
	old, err := search(svc, collection, service, item)
	if err != nil {
		return err
	}
	session, err := svc.OpenSession()
	if err != nil {
		return err
	}
	defer svc.Close(session)
	attrs := attributes(service, item)
	label := fmt.Sprintf("Password for '%s' on '%s'", item, service)
	if err := svc.CreateItem(collection, label, attrs, ss.NewSecret(session.Path(), secret)); err != nil {
		return err
	}
	// An item with Python's attributes was replaced in place; any other
	// item under this service and name would now shadow or be shadowed.
	for _, p := range old {
		if python, err := isPythons(svc, p); err == nil && !python {
			if err := svc.Delete(p); err != nil {
				return fmt.Errorf("remove the older copy of %s: %w", item, err)
			}
		}
	}
	return nil
}

// isPythons: the item has Python keyring's application attribute, so a
// save with Python's attributes replaced it. (The service adds attributes
// of its own, such as xdg:schema: only this one decides.)
func isPythons(svc *ss.SecretService, path dbus.ObjectPath) (bool, error) {
	v, err := svc.Object("org.freedesktop.secrets", path).GetProperty("org.freedesktop.Secret.Item.Attributes")
	if err != nil {
		return false, err
	}
	got, ok := v.Value().(map[string]string)
	return ok && got["application"] == pythonApplication, nil
}
