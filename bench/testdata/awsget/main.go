// Command awsget is the bench's floor for a Go process that reads one
// secret with aws-sdk-go-v2 the way the aws plugin does (default config
// chain, shared config files, one GetSecretValue), without ksm.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

func main() {
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "awsget:", err)
		os.Exit(1)
	}
}

func run(secret string) error {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	out, err := secretsmanager.NewFromConfig(cfg).GetSecretValue(ctx,
		&secretsmanager.GetSecretValueInput{SecretId: aws.String(secret)})
	if err != nil {
		return err
	}
	fmt.Println(len(aws.ToString(out.SecretString)), "bytes")
	return nil
}
