package onboardingv1

import _ "embed" // for ServiceConfig

// ServiceConfig is the gateway's shipped gRPC service config (a copy of
// deploy/grpc-service-config.json): per-method timeouts, waitForReady and
// retries of UNAVAILABLE only. Pass it to grpc.Dial with
// grpc.WithDefaultServiceConfig(onboardingv1.ServiceConfig).
//
//go:embed grpc-service-config.json
var ServiceConfig string

// ErrorDomain is google.rpc.ErrorInfo.domain of every error the gateway returns.
const ErrorDomain = "eko-onboarding-gateway"
