package awsstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/ec2rolecreds"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ksm-cli/ksm/sdk"
)

// dialTimeout bounds connecting to Secrets Manager: an unreachable endpoint
// fails in seconds rather than the SDK's default 30.
const dialTimeout = 5 * time.Second

// sdkConnect opens a session with aws-sdk-go-v2. Every method still reads
// the environment and shared config files, so endpoints, CA bundles and
// the like work as in the aws CLI; only the credentials differ. It touches
// IMDS only for ec2instance (and a default chain that ends there), and
// retrieves credentials before the first call so that a method that has
// none is told apart from one that AWS refuses.
func sdkConnect(ctx context.Context, t target, via string) (*session, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(awshttp.NewBuildableClient().WithDialerOptions(func(d *net.Dialer) {
			d.Timeout = dialTimeout
		})),
	}
	switch via {
	case methodEC2, methodKeys:
		// A placeholder, so that a broken credential setup elsewhere in the
		// shared config cannot fail a method that does not use it.
		opts = append(opts, config.WithCredentialsProvider(aws.AnonymousCredentials{}))
	case methodProfile:
		if t.profile != "" {
			opts = append(opts, config.WithSharedConfigProfile(t.profile))
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, configFailure(ctx, t, via, err)
	}

	var md *imds.Client
	switch via {
	case methodEC2:
		md = newIMDSClient(cfg)
		cfg.Credentials = aws.NewCredentialsCache(ec2rolecreds.New(func(o *ec2rolecreds.Options) { o.Client = md }))
	case methodKeys:
		cfg.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(t.keyID, t.secretKey, ""))
	case methodProfile:
		// The SDK falls through to the instance role when a profile holds
		// no credentials; the profile method means the profile's own.
		if aws.IsCredentialsProvider(cfg.Credentials, (*ec2rolecreds.Provider)(nil)) {
			return nil, credFailure(ctx, t, via, errors.New("it holds no credentials"))
		}
	default:
		if aws.IsCredentialsProvider(cfg.Credentials, (*ec2rolecreds.Provider)(nil)) {
			md = newIMDSClient(cfg)
			cfg.Credentials = aws.NewCredentialsCache(ec2rolecreds.New(func(o *ec2rolecreds.Options) { o.Client = md }))
		}
	}

	creds, err := retrieve(ctx, cfg.Credentials, md != nil)
	if err != nil {
		return nil, credFailure(ctx, t, via, err)
	}
	secrets := []string{creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken}

	// The instance's own region comes last: a secret may live elsewhere.
	region := firstNonEmpty(t.region, t.arnRegion(), cfg.Region)
	var regionErr error
	if region == "" && via == methodEC2 {
		region, regionErr = imdsRegion(ctx, md)
		if f := ctxFailure(ctx); f != nil {
			return nil, f
		}
	}
	if region == "" {
		f := &failure{code: sdk.CodeInvalidArgument, reason: "no AWS region",
			hint: "run `ksm profile setup --type aws` again with --region, or set AWS_REGION"}
		if regionErr != nil {
			f.reason += " (the EC2 instance metadata service gave none: " + causeOf(regionErr) + ")"
		}
		return nil, f
	}

	api := secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) {
		o.Region = region
		o.HTTPClient = plainHTTPGuard{next: o.HTTPClient}
	})
	return &session{api: api, region: region, secrets: secrets}, nil
}

// retrieve gets credentials now, within imdsBudget if they come from IMDS.
func retrieve(ctx context.Context, p aws.CredentialsProvider, fromIMDS bool) (aws.Credentials, error) {
	if p == nil {
		return aws.Credentials{}, errors.New("no credential provider")
	}
	if fromIMDS {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, imdsBudget)
		defer cancel()
	}
	creds, err := p.Retrieve(ctx)
	if err == nil && !creds.HasKeys() {
		err = errors.New("anonymous credentials")
	}
	return creds, err
}

// configFailure explains an error loading the shared config.
func configFailure(ctx context.Context, t target, via string, err error) *failure {
	if f := ctxFailure(ctx); f != nil {
		return f
	}
	var nf config.SharedConfigProfileNotExistError
	if errors.As(err, &nf) {
		if via == methodProfile && t.profile != "" {
			return credFailure(ctx, t, via, errors.New("no such profile in the AWS config files"))
		}
		return &failure{code: sdk.CodeFailedPrecondition,
			reason: fmt.Sprintf("AWS_PROFILE names AWS profile %q, which the AWS config files lack", nf.Profile),
			hint:   "unset AWS_PROFILE or create that profile"}
	}
	return &failure{code: sdk.CodeFailedPrecondition, reason: "cannot read the AWS config (" + sdk.OneLine(err.Error()) + ")",
		hint: "fix the AWS config files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE) or the AWS_* variables"}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
