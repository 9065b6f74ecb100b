//go:build devtools

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Keys the bench gives moto and the AWS profile it writes; moto takes any.
const (
	benchRegion    = "us-east-1"
	benchKeyID     = "AKIAKSMBENCH00000001"
	benchSecretKey = "ksm-bench-secret-access-key"
)

// moto is moto's Secrets Manager server on a loopback port, started the way
// plugins/aws/awstest does it (python3 -m moto.server; ready when
// /moto-api/ answers).
type moto struct {
	endpoint string
	cmd      *exec.Cmd
	exited   chan struct{}
}

func startMoto() (*moto, error) {
	if out, err := exec.Command("python3", "-c", "import moto.server").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("moto's server is not importable by python3 (%v: %s); install it with: pip install 'moto[server]'",
			err, strings.TrimSpace(string(out)))
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	m := &moto{endpoint: "http://127.0.0.1:" + port, exited: make(chan struct{})}
	m.cmd = exec.Command("python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", port)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			m.cmd.Env = append(m.cmd.Env, kv)
		}
	}
	if err := m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto: %w", err)
	}
	go func() { _ = m.cmd.Wait(); close(m.exited) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if resp, err := http.Get(m.endpoint + "/moto-api/"); err == nil {
			resp.Body.Close()
			return m, nil
		}
		select {
		case <-m.exited:
			return nil, errors.New("moto exited before answering (is the port taken?)")
		case <-time.After(25 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			m.stop()
			return nil, fmt.Errorf("moto did not answer at %s within 30s", m.endpoint)
		}
	}
}

func (m *moto) stop() {
	select {
	case <-m.exited:
	default:
		_ = m.cmd.Process.Kill()
		<-m.exited
	}
}

// client is a Secrets Manager client for moto with a transport of its own,
// so that each call made with a new client opens a new connection, as the
// aws plugin's single call does.
func (m *moto) client() *secretsmanager.Client {
	return secretsmanager.New(secretsmanager.Options{
		Region:       benchRegion,
		BaseEndpoint: aws.String(m.endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(benchKeyID, benchSecretKey, ""),
		HTTPClient:   &http.Client{Transport: &http.Transport{DisableKeepAlives: true}},
	})
}

func (m *moto) createSecret(name, value string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := m.client().CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(name), SecretString: aws.String(value)})
	return err
}

// getSecret is moto's own GetSecretValue round trip: signing, a new
// loopback connection, moto's work, decoding.
func (m *moto) getSecret(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := m.client().GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
	if err == nil && aws.ToString(out.SecretString) == "" {
		err = errors.New("empty secret")
	}
	return err
}
