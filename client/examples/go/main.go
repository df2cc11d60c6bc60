// Command journey walks a customer journey and decodes two errors through the
// Go module github.com/eko/onboarding-gateway/gen/go (package onboardingv1).
//
// Usage: journey ADDR SIM_ADMIN_URL
//
//	ADDR           gateway address (plaintext), e.g. 127.0.0.1:50051
//	SIM_ADMIN_URL  what `eko-gateway --dev` prints as "eko-gateway simulator on URL"
//
// Same steps as ../python/journey.py: GetCustomer -> OnboardCustomer ->
// VerifyCustomerOtp with the simulator's OTP; an invalid OnboardCustomer
// (ErrorInfo FIELD_INVALID + BadRequest); GetCustomer under an injected 429
// (ErrorInfo UPSTREAM_RATE_LIMITED + RetryInfo 3s). The connection carries the
// module's shipped service config (onboardingv1.ServiceConfig); every call also
// sets its own deadline.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	onboardingv1 "github.com/eko/onboarding-gateway/gen/go/eko/onboarding/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/genproto/googleapis/type/date"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const deadline = 10 * time.Second

// decoded is what a failed call's grpc-status-details-bin carried.
type decoded struct {
	code        codes.Code
	errorInfos  []*errdetails.ErrorInfo
	fields      []string
	retryDelays []int64
}

func decode(err error) decoded {
	st := status.Convert(err)
	d := decoded{code: st.Code()}
	for _, detail := range st.Details() {
		switch m := detail.(type) {
		case *errdetails.ErrorInfo:
			fmt.Printf("  ErrorInfo reason=%s domain=%s metadata=%v\n", m.Reason, m.Domain, m.Metadata)
			d.errorInfos = append(d.errorInfos, m)
		case *errdetails.BadRequest:
			for _, v := range m.FieldViolations {
				fmt.Printf("  BadRequest %s: %s\n", v.Field, v.Description)
				d.fields = append(d.fields, v.Field)
			}
		case *errdetails.RetryInfo:
			fmt.Printf("  RetryInfo retry_delay=%ds\n", m.RetryDelay.GetSeconds())
			d.retryDelays = append(d.retryDelays, m.RetryDelay.GetSeconds())
		}
	}
	sort.Strings(d.fields)
	return d
}

func (d decoded) reasons() string {
	var r []string
	for _, i := range d.errorInfos {
		r = append(r, i.Reason+"@"+i.Domain)
	}
	return strings.Join(r, ",")
}

// admin sends a JSON request to the simulator's admin API (local: no proxy).
func admin(method, url string, body interface{}) (map[string]interface{}, error) {
	var payload []byte
	if body != nil {
		payload, _ = json.Marshal(body)
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil}}
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	out := map[string]interface{}{}
	return out, json.NewDecoder(res.Body).Decode(&out)
}

func newCustomerID() string { return fmt.Sprintf("9%09d", rand.Intn(1000000000)) }

func run(addr, adminURL string) (failed int, err error) {
	check := func(name string, ok bool, what string) {
		verdict := "PASS"
		if !ok {
			verdict = "FAIL"
			failed++
		}
		fmt.Printf("%s %s: %s\n", verdict, name, what)
	}
	conn, err := grpc.Dial(addr, grpc.WithInsecure(), grpc.WithNoProxy(),
		grpc.WithDefaultServiceConfig(onboardingv1.ServiceConfig))
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	client := onboardingv1.NewOnboardingServiceClient(conn)
	ctx := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.Background(), deadline)
	}

	customerID := newCustomerID()
	c, cancel := ctx()
	got, err := client.GetCustomer(c, &onboardingv1.GetCustomerRequest{CustomerId: customerID})
	cancel()
	if err != nil {
		return failed, fmt.Errorf("GetCustomer: %w", err)
	}
	check("1 GetCustomer", got.GetNextStep() == onboardingv1.NextStep_NEXT_STEP_ONBOARD_CUSTOMER,
		customerID+" -> "+got.GetNextStep().String())

	c, cancel = ctx()
	onboarded, err := client.OnboardCustomer(c, &onboardingv1.OnboardCustomerRequest{
		CustomerId: customerID, Name: "Example Customer", Dob: &date.Date{Year: 1990, Month: 5, Day: 17},
		ResidenceAddress: []string{"123 MG Road", "Bangalore", "Karnataka", "560001"},
	})
	cancel()
	if err != nil {
		return failed, fmt.Errorf("OnboardCustomer: %w", err)
	}
	check("2 OnboardCustomer", onboarded.GetNextStep() == onboardingv1.NextStep_NEXT_STEP_VERIFY_CUSTOMER_OTP &&
		onboarded.GetOtpRefId() != "", onboarded.GetNextStep().String()+", otp_ref_id "+onboarded.GetOtpRefId())

	otpReply, err := admin("GET", adminURL+"/otp?customer_id="+customerID, nil)
	if err != nil {
		return failed, fmt.Errorf("simulator OTP: %w", err)
	}
	otp, _ := otpReply["otp"].(string)
	c, cancel = ctx()
	verified, err := client.VerifyCustomerOtp(c, &onboardingv1.VerifyCustomerOtpRequest{
		CustomerId: customerID, Otp: otp, OtpRefId: onboarded.GetOtpRefId(),
	})
	cancel()
	if err != nil {
		return failed, fmt.Errorf("VerifyCustomerOtp: %w", err)
	}
	check("3 VerifyCustomerOtp", verified.GetNextStep() != onboardingv1.NextStep_NEXT_STEP_UNSPECIFIED,
		"otp "+otp+" -> "+verified.GetNextStep().String())

	c, cancel = ctx()
	_, err = client.OnboardCustomer(c, &onboardingv1.OnboardCustomerRequest{
		CustomerId: "12345", Name: "Example Customer", Dob: &date.Date{Year: 2001, Month: 2, Day: 30},
		ResidenceAddress: []string{"123 MG Road", "Bangalore"},
	})
	cancel()
	invalid := decode(err)
	check("4 invalid OnboardCustomer", err != nil && invalid.code == codes.InvalidArgument &&
		invalid.reasons() == "FIELD_INVALID@"+onboardingv1.ErrorDomain &&
		strings.Join(invalid.fields, ",") == "customer_id,dob",
		fmt.Sprintf("%s %s on %v", invalid.code, invalid.reasons(), invalid.fields))

	limited := newCustomerID()
	if _, err := admin("POST", adminURL+"/faults", map[string]interface{}{
		"customer_id": limited, "times": -1, "http_status": 429,
		"headers": map[string]string{"Retry-After": "3"}, "body": `{"message":"Too Many Requests"}`,
	}); err != nil {
		return failed, fmt.Errorf("simulator fault: %w", err)
	}
	c, cancel = ctx()
	_, err = client.GetCustomer(c, &onboardingv1.GetCustomerRequest{CustomerId: limited})
	cancel()
	rate := decode(err)
	check("5 rate-limited GetCustomer", err != nil && rate.code == codes.ResourceExhausted &&
		rate.reasons() == "UPSTREAM_RATE_LIMITED@"+onboardingv1.ErrorDomain &&
		len(rate.retryDelays) == 1 && rate.retryDelays[0] == 3,
		fmt.Sprintf("%s %s, RetryInfo %v", rate.code, rate.reasons(), rate.retryDelays))
	return failed, nil
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: journey ADDR SIM_ADMIN_URL")
		os.Exit(2)
	}
	rand.Seed(time.Now().UnixNano())
	failed, err := run(os.Args[1], strings.TrimSuffix(os.Args[2], "/"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "go:", err)
		os.Exit(1)
	}
	if failed > 0 {
		fmt.Printf("go: %d step(s) FAILED\n", failed)
		os.Exit(1)
	}
	fmt.Println("go: OK")
}
