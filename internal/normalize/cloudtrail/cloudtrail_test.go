package cloudtrail

import (
	"testing"

	"github.com/flowsift/flowsift/internal/normalize"
	"github.com/flowsift/flowsift/internal/normalize/normalizetest"
)

// Made-up CloudTrail records (documentation addresses and AWS's example
// account ids).
var cases = []normalizetest.Case{
	{
		Name: "console login success",
		Line: `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLEUSER0001","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"},` +
			`"eventTime":"2024-05-06T07:08:09Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.23",` +
			`"userAgent":"Mozilla/5.0 (X11; Linux x86_64)","requestParameters":null,"responseElements":{"ConsoleLogin":"Success"},` +
			`"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"Yes"},"eventID":"00000000-1111-2222-3333-444444444444",` +
			`"readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}`,
		Dataset: "log.cloudtrail.management",
		Want: map[string]any{
			"@timestamp": "2024-05-06T07:08:09Z", "event.kind": "event", "event.category": []any{"authentication"},
			"event.type": []any{"info"}, "event.action": "ConsoleLogin", "event.outcome": "success",
			"event.provider": "signin.amazonaws.com", "event.id": "00000000-1111-2222-3333-444444444444",
			"cloud.account.id": "111122223333", "cloud.region": "eu-west-1", "cloud.provider": "aws",
			"source.ip": "198.51.100.23", "source.address": "198.51.100.23", "user.id": "AIDAEXAMPLEUSER0001", "user.name": "alice",
			"aws.cloudtrail.console_login.additional_eventdata.mfa_used": true, "aws.cloudtrail.user_identity.type": "IAMUser",
			"aws.cloudtrail.event_type": "AwsConsoleSignIn",
		},
	},
	{
		Name: "assumed role deletes a bucket, denied, in a batch of one",
		Line: `{"Records":[{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLEROLE:session1","arn":"arn:aws:sts::444455556666:assumed-role/Deployer/session1",` +
			`"accountId":"444455556666","accessKeyId":"ASIAEXAMPLEKEY","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAEXAMPLEROLE","arn":"arn:aws:iam::444455556666:role/Deployer","accountId":"444455556666","userName":"Deployer"},` +
			`"attributes":{"creationDate":"2024-05-06T06:00:00Z","mfaAuthenticated":"false"}}},"eventTime":"2024-05-06T07:08:10Z","eventSource":"s3.amazonaws.com","eventName":"DeleteBucket",` +
			`"awsRegion":"us-east-1","sourceIPAddress":"cloudformation.amazonaws.com","userAgent":"cloudformation.amazonaws.com","errorCode":"AccessDenied","errorMessage":"Access Denied",` +
			`"requestParameters":{"bucketName":"example-bucket"},"responseElements":null,"eventID":"e1","eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"444455556666"}]}`,
		Dataset: "log.cloudtrail.management",
		Want: map[string]any{
			"event.outcome": "failure", "event.type": []any{"deletion"}, "user.name": "Deployer", "source.address": "cloudformation.amazonaws.com",
			"source.domain": "cloudformation.amazonaws.com", "aws.cloudtrail.error_code": "AccessDenied",
			"aws.cloudtrail.user_identity.access_key_id":                     "ASIAEXAMPLEKEY",
			"aws.cloudtrail.user_identity.session_context.mfa_authenticated": false,
			"_absent": []any{"source.ip", "event.category"},
		},
	},
	{
		Name:    "data event, iam-less root",
		Line:    `{"eventVersion":"1.05","userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"},"eventTime":"2024-05-06T07:08:11Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"2001:db8::1","eventID":"e2","managementEvent":false}`,
		Dataset: "log.cloudtrail.data",
		Want:    map[string]any{"user.name": "root", "event.type": []any{"access"}, "source.ip": "2001:db8::1", "cloud.account.id": "111122223333"},
	},
	{
		Name: "iam create user",
		Line: `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/admin"},"eventTime":"2024-05-06T07:08:12Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","eventID":"e3"}`,
		Want: map[string]any{"event.category": []any{"iam"}, "event.type": []any{"creation"}, "user.name": "admin"},
	},
	{Name: "batch of two", Line: `{"Records":[{"eventVersion":"1.08","eventSource":"a","eventName":"b"},{"eventVersion":"1.08","eventSource":"a","eventName":"c"}]}`, Err: true},
	{Name: "truncated", Line: `{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"IAM`, Err: true},
	{Name: "identity of the wrong type", Line: `{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":"x"}`, Err: true},
	{Name: "no event name", Line: `{"eventVersion":"1.08","eventSource":"s3.amazonaws.com"}`, Err: true},
}

func TestParse(t *testing.T) {
	normalizetest.Run(t, Parser{}, &normalize.Env{}, cases)
}

func TestDetect(t *testing.T) {
	for line, want := range map[string]bool{
		`{"eventType":"user.session.start","published":"2024-05-06T07:08:09Z","uuid":"x"}`: false,
		`{"timestamp":"2024-05-06T07:10:00Z","event_type":"alert"}`:                        false,
		`eventVersion=1 eventSource=x`:                                                     false,
	} {
		var m normalize.Message
		normalize.ParseHeader(line, &normalize.Env{}, &m)
		if got := (Parser{}).Detect(&m); got != want {
			t.Errorf("Detect(%q) = %v", line, got)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	var m normalize.Message
	var e normalize.Event
	env := &normalize.Env{}
	normalize.ParseHeader(cases[0].Line, env, &m)
	b.ReportAllocs()
	for b.Loop() {
		e.Reset()
		if err := (Parser{}).Parse(&m, env, &e); err != nil {
			b.Fatal(err)
		}
	}
}
