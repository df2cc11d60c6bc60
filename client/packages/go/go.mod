// Go module of the eko.onboarding.v1 stubs: package onboardingv1 at
// github.com/eko/onboarding-gateway/gen/go/eko/onboarding/v1 (the proto's
// go_package). scripts/build-packages.sh puts the generated *.pb.go next to
// service_config.go; consumers run `go mod tidy` (docs/clients.md).
// The requirements are the oldest versions the generated code works with.
module github.com/eko/onboarding-gateway/gen/go

go 1.19

require (
	google.golang.org/genproto v0.0.0-20261026165753-2ffab32bce7e
	google.golang.org/grpc v1.32.0
	google.golang.org/protobuf v1.28.1
)
